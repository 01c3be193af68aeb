// The grammar of .nn: a pure Bison (lalr1.cc) parser that builds the AST of
// frontend/ast.h from the tokens of lexer.re. Every node carries the source
// range of its tokens. Syntax errors are reported through the
// DiagnosticEngine; `error` productions at statement boundaries (a newline,
// `;` or `}`) let one run report several of them.
//
// Statements end at a newline or `;` (lexer.h says which line breaks count);
// the last statement of a block or file needs neither.
//
// Expression precedence, lowest first:
//   or | and | not | == != < <= > >= (non-associative) | .. (non-associative)
//   | + - | * / % @ | unary - + | ** (right-associative) | call, member, index
// so `-x**2` is `-(x**2)` and `not a == b` is `not (a == b)`.
%require "3.8"
%language "c++"
%skeleton "lalr1.cc"
%header

%define api.namespace {nnc}
%define api.parser.class {Parser}
%define api.value.type variant
%define api.value.automove
%define api.token.constructor
%define api.token.prefix {TOK_}
%define api.location.type {nnc::SourceRange}
%define parse.error detailed
%define parse.lac full
%locations
%expect 0

%parse-param {Lexer& lexer} {DiagnosticEngine& diags} {ast::Program& result}
%lex-param {Lexer& lexer}

%code requires {
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "frontend/ast.h"
#include "frontend/syntax_builders.h"

namespace nnc {
class Lexer;
class DiagnosticEngine;
}  // namespace nnc
}

%code {
#include "frontend/lexer.h"
#include "frontend/parse.h"

// A node spans its children from the first non-empty one to the last; an
// empty rule sits at the end of the token before it.
#define YYLLOC_DEFAULT(Current, Rhs, N)                                          \
    do {                                                                         \
        if (N) {                                                                 \
            int first_ = 1;                                                      \
            while (first_ < (N) && YYRHSLOC(Rhs, first_).empty()) ++first_;      \
            (Current).begin = YYRHSLOC(Rhs, first_).begin;                       \
            (Current).end = YYRHSLOC(Rhs, N).end;                                \
        } else {                                                                 \
            (Current).begin = (Current).end = YYRHSLOC(Rhs, 0).end;              \
        }                                                                        \
    } while (false)

namespace nnc {
namespace {

Parser::symbol_type yylex(Lexer& lexer) { return lexer.next(); }

// An expression node, refused when its tree is nested deeper than the
// evaluator may recurse (`------...1`, a sum of thousands of terms).
ast::ExprPtr within_depth_limit(ast::ExprPtr e) {
    if (e->depth > ast::Expr::kMaxExprDepth)
        throw Parser::syntax_error(e->range, "expression nested more than " + std::to_string(ast::Expr::kMaxExprDepth) +
                                                 " levels deep; split it into several statements");
    return e;
}

ast::ExprPtr make_binary(ast::BinaryOp op, ast::ExprPtr lhs, ast::ExprPtr rhs, SourceRange range,
                         SourceRange op_range) {
    auto node = std::make_unique<ast::Binary>(op, std::move(lhs), std::move(rhs), range);
    node->op_range = op_range;
    return within_depth_limit(std::move(node));
}

}  // namespace
}  // namespace nnc
}

%token <std::string> IDENT "identifier"
%token <int64_t> INT "integer"
%token <double> FLOAT "float"
%token <std::string> STRING "string"
%token NEWLINE "newline"

%token FN "'fn'" MODEL "'model'" PARAM "'param'" BUFFER "'buffer'" LET "'let'"
       RETURN "'return'" IF "'if'" ELSE "'else'" FOR "'for'" IN "'in'"
       WHILE "'while'" BREAK "'break'" CONTINUE "'continue'" IMPORT "'import'"
       AS "'as'" AND "'and'" OR "'or'" NOT "'not'" TRUE "'true'" FALSE "'false'"

%token PLUS "'+'" MINUS "'-'" STAR "'*'" SLASH "'/'" SLASHSLASH "'//'" PERCENT "'%'" POW "'**'"
       AT "'@'" EQ "'=='" NE "'!='" LT "'<'" LE "'<='" GT "'>'" GE "'>='"
       ASSIGN "'='" PLUS_ASSIGN "'+='" MINUS_ASSIGN "'-='" STAR_ASSIGN "'*='"
       SLASH_ASSIGN "'/='" LPAREN "'('" RPAREN "')'" LBRACKET "'['"
       RBRACKET "']'" LBRACE "'{'" RBRACE "'}'" COMMA "','" COLON "':'"
       SEMI "';'" DOT "'.'" DOTDOT "'..'" ELLIPSIS "'...'" ARROW "'->'"

%nterm <std::vector<ast::StmtPtr>> stmt_list
%nterm <ast::StmtPtr> stmt import
%nterm <ast::Assign::Op> assign_op
%nterm <ast::Block> block
%nterm <std::unique_ptr<ast::If>> if_stmt
%nterm <std::unique_ptr<ast::FnDef>> fn_def
%nterm <std::unique_ptr<ast::ModelDef>> model_def model_block model_body
%nterm <ModelMember> model_member
%nterm <std::vector<ast::Param>> params param_list ctor_params
%nterm <ast::Param> param
%nterm <ast::ExprPtr> default_value
%nterm <std::optional<ast::TypeExpr>> type_annotation result_type
%nterm <ast::TypeExpr> type
%nterm <std::vector<ast::TypeExpr>> type_tuple_items
%nterm <std::vector<std::string>> dotted_name
%nterm <std::vector<ast::DimExpr>> dims dim_list
%nterm <ast::DimExpr> dim
%nterm <ast::Pattern> pattern
%nterm <std::vector<ast::Pattern>> pattern_tuple_items
%nterm <ast::ExprPtr> expr postfix atom expr_opt
%nterm <std::vector<ast::ExprPtr>> expr_list tuple_items
%nterm <std::vector<ast::Arg>> args arg_list
%nterm <ast::Arg> arg
%nterm <std::vector<ast::IndexItem>> subscripts
%nterm <ast::IndexItem> subscript

%left OR
%left AND
%precedence NOT
%nonassoc EQ NE LT LE GT GE
%nonassoc DOTDOT
%left PLUS MINUS
%left STAR SLASH SLASHSLASH PERCENT AT
%precedence UNARY
%right POW

%start program

%%

// ------------------------------------------------------------ statements ---

// program: stmt_list [stmt]
program
    : stmt_list                 { result.stmts = $1; }
    | stmt_list stmt            { result.stmts = $1; result.stmts.push_back($2); }
    | stmt_list error           { result.stmts = $1; }
    ;

// stmt_list: { [stmt] separator }
// After a syntax error the parser skips to the next separator, or over a
// whole block when a `{` comes first (so `fn f(a b) { ... }` still has its
// body checked). yyerrok at the separator lets the next line report its own
// errors at once.
stmt_list
    : %empty                    {}
    | stmt_list separator       { $$ = $1; }
    | stmt_list stmt separator  { $$ = $1; $$.push_back($2); }
    | stmt_list error separator { $$ = $1; yyerrok; }
    | stmt_list error block     { $$ = $1; }
    ;

separator: NEWLINE | SEMI;

// block: '{' stmt_list [stmt] '}'
block
    : LBRACE stmt_list RBRACE        { $$.stmts = $2; $$.range = @$; }
    | LBRACE stmt_list stmt RBRACE   { $$.stmts = $2; $$.stmts.push_back($3); $$.range = @$; }
    | LBRACE stmt_list error RBRACE  { $$.stmts = $2; $$.range = @$; yyerrok; }
    ;

// stmt: 'let' pattern [':' type] '=' expr | expr [assign_op expr] | if_stmt
//     | 'for' pattern 'in' expr block | 'while' expr block | 'break'
//     | 'continue' | 'return' [expr] | fn_def | model_def | import
stmt
    : LET pattern type_annotation ASSIGN expr {
        auto let = std::make_unique<ast::Let>(@$);
        let->pattern = $2;
        let->type = $3;
        let->value = $5;
        $$ = std::move(let);
    }
    | expr                      { $$ = std::make_unique<ast::ExprStmt>($1, @$); }
    | expr assign_op expr {
        auto assign = std::make_unique<ast::Assign>(@$);
        assign->op = $2;
        assign->target = $1;
        assign->value = $3;
        if (!is_assignable(*assign->target)) error(@1, "cannot assign to this expression");
        $$ = std::move(assign);
    }
    | if_stmt                   { $$ = $1; }
    | FOR pattern IN expr block {
        auto loop = std::make_unique<ast::For>(@$);
        loop->pattern = $2;
        loop->iterable = $4;
        loop->body = $5;
        $$ = std::move(loop);
    }
    | WHILE expr block {
        auto loop = std::make_unique<ast::While>(@$);
        loop->cond = $2;
        loop->body = $3;
        $$ = std::move(loop);
    }
    | BREAK                     { $$ = std::make_unique<ast::Break>(@$); }
    | CONTINUE                  { $$ = std::make_unique<ast::Continue>(@$); }
    | RETURN                    { $$ = std::make_unique<ast::Return>(nullptr, @$); }
    | RETURN expr               { $$ = std::make_unique<ast::Return>($2, @$); }
    | fn_def                    { $$ = $1; }
    | model_def                 { $$ = $1; }
    | import                    { $$ = $1; }
    ;

assign_op
    : ASSIGN        { $$ = ast::Assign::Op::Set; }
    | PLUS_ASSIGN   { $$ = ast::Assign::Op::Add; }
    | MINUS_ASSIGN  { $$ = ast::Assign::Op::Sub; }
    | STAR_ASSIGN   { $$ = ast::Assign::Op::Mul; }
    | SLASH_ASSIGN  { $$ = ast::Assign::Op::Div; }
    ;

// if_stmt: 'if' expr block ['else' (block | if_stmt)]
if_stmt
    : IF expr block {
        $$ = std::make_unique<ast::If>(@$);
        $$->cond = $2;
        $$->then_block = $3;
    }
    | IF expr block ELSE block {
        $$ = std::make_unique<ast::If>(@$);
        $$->cond = $2;
        $$->then_block = $3;
        $$->else_block = $5;
    }
    | IF expr block ELSE if_stmt {
        $$ = std::make_unique<ast::If>(@$);
        $$->cond = $2;
        $$->then_block = $3;
        $$->else_block = block_of($5, @5);
    }
    ;

// import: 'import' dotted_name ['as' identifier]
import
    : IMPORT dotted_name {
        auto import = std::make_unique<ast::Import>(@$);
        import->path = $2;
        $$ = std::move(import);
    }
    | IMPORT dotted_name AS IDENT {
        auto import = std::make_unique<ast::Import>(@$);
        import->path = $2;
        import->alias = $4;
        $$ = std::move(import);
    }
    ;

dotted_name
    : IDENT                     { $$.push_back($1); }
    | dotted_name DOT IDENT     { $$ = $1; $$.push_back($3); }
    ;

// ---------------------------------------------------------- declarations ---

// fn_def: ['host'] 'fn' identifier '(' params ')' ['->' type] block
// (`host` is a name everywhere else: it marks a fn that is never compiled)
fn_def
    : FN IDENT LPAREN params RPAREN result_type block {
        $$ = std::make_unique<ast::FnDef>(@$);
        $$->name = $2;
        $$->name_range = @2;
        $$->params = $4;
        $$->result = $6;
        $$->body = $7;
    }
    | IDENT FN IDENT LPAREN params RPAREN result_type block {
        const std::string modifier = $1;
        if (modifier != "host") error(@1, "unexpected `" + modifier + "` before `fn` (did you mean `host fn`?)");
        $$ = std::make_unique<ast::FnDef>(@$);
        $$->host = true;
        $$->name = $3;
        $$->name_range = @3;
        $$->params = $5;
        $$->result = $7;
        $$->body = $8;
    }
    ;

result_type
    : %empty                    {}
    | ARROW type                { $$ = $2; }
    ;

// params: [param {',' param} [',']]
params
    : %empty                    {}
    | param_list                { $$ = $1; }
    | param_list COMMA          { $$ = $1; }
    ;

param_list
    : param                     { $$.push_back($1); }
    | param_list COMMA param    { $$ = $1; $$.push_back($3); }
    ;

// param: identifier [':' type] ['=' expr]
param
    : IDENT type_annotation default_value {
        $$.name = $1;
        $$.type = $2;
        $$.default_value = $3;
        $$.range = @$;
    }
    ;

default_value
    : %empty                    { $$ = nullptr; }
    | ASSIGN expr               { $$ = $2; }
    ;

type_annotation
    : %empty                    {}
    | COLON type                { $$ = $2; }
    ;

// model_def: 'model' identifier ['(' params ')'] model_block
model_def
    : MODEL IDENT ctor_params model_block {
        $$ = $4;
        $$->range = @$;
        $$->name = $2;
        $$->name_range = @2;
        $$->params = $3;
    }
    | MODEL IDENT error model_block {
        $$ = $4;
        $$->range = @$;
        $$->name = $2;
        $$->name_range = @2;
    }
    ;

// model_block: '{' model_body [model_member] '}'
model_block
    : LBRACE model_body RBRACE               { $$ = $2; }
    | LBRACE model_body model_member RBRACE  { $$ = $2; add_member(*$$, $3); }
    | LBRACE model_body error RBRACE         { $$ = $2; yyerrok; }
    ;

ctor_params
    : %empty                    {}
    | LPAREN params RPAREN      { $$ = $2; }
    ;

// model_body: { [model_member] separator }
model_body
    : %empty                    { $$ = std::make_unique<ast::ModelDef>(SourceRange{}); }
    | model_body separator      { $$ = $1; }
    | model_body model_member separator { $$ = $1; add_member(*$$, $2); }
    | model_body error separator { $$ = $1; yyerrok; }
    ;

// model_member: ['param' | 'buffer'] identifier [':' type] '=' expr | fn_def
model_member
    : PARAM IDENT type_annotation ASSIGN expr {
        $$ = ast::ModelField{ast::ModelField::Param, $2, $3, $5, @$};
    }
    | BUFFER IDENT type_annotation ASSIGN expr {
        $$ = ast::ModelField{ast::ModelField::Buffer, $2, $3, $5, @$};
    }
    | IDENT type_annotation ASSIGN expr {
        $$ = ast::ModelField{ast::ModelField::Field, $1, $2, $4, @$};
    }
    | fn_def                    { $$ = $1; }
    ;

// ----------------------------------------------------------------- types ---

// type: dotted_name ['[' dims ']'] | '(' [type {',' type} [',']] ')'
type
    : dotted_name               { $$ = named_type($1, @$); }
    | dotted_name LBRACKET dims RBRACKET {
        $$.range = @$;
        $$.kind = ast::TypeExpr::Tensor;
        std::vector<std::string> path = $1;
        std::optional<DType> dtype = path.size() == 1 ? parse_dtype(path[0]) : std::nullopt;
        if (dtype)
            $$.dtype = *dtype;
        else
            error(@1, "expected an element type (bool, i8, i32, i64, f16, bf16, f32, f64) before '['");
        $$.dims = $3;
    }
    | LPAREN RPAREN             { $$.kind = ast::TypeExpr::Tuple; $$.range = @$; }
    | LPAREN type RPAREN        { $$ = $2; }
    | LPAREN type_tuple_items RPAREN {
        $$.kind = ast::TypeExpr::Tuple;
        $$.elements = $2;
        $$.range = @$;
    }
    | LPAREN type_tuple_items type RPAREN {
        $$.kind = ast::TypeExpr::Tuple;
        $$.elements = $2;
        $$.elements.push_back($3);
        $$.range = @$;
    }
    ;

type_tuple_items
    : type COMMA                    { $$.push_back($1); }
    | type_tuple_items type COMMA   { $$ = $1; $$.push_back($2); }
    ;

dims
    : %empty                    {}
    | dim_list                  { $$ = $1; }
    | dim_list COMMA            { $$ = $1; }
    ;

dim_list
    : dim                       { $$.push_back($1); }
    | dim_list COMMA dim        { $$ = $1; $$.push_back($3); }
    ;

// dim: integer | identifier (a symbol) | '_' (any size)
dim
    : INT                       { $$.kind = ast::DimExpr::Known; $$.value = $1; $$.range = @$; }
    | IDENT {
        std::string name = $1;
        $$.kind = name == "_" ? ast::DimExpr::Any : ast::DimExpr::Symbol;
        if ($$.kind == ast::DimExpr::Symbol) $$.name = std::move(name);
        $$.range = @$;
    }
    ;

// -------------------------------------------------------------- patterns ---

// pattern: identifier | '(' pattern {',' pattern} [','] ')'
pattern
    : IDENT                     { $$.kind = ast::Pattern::Bind; $$.name = $1; $$.range = @$; }
    | LPAREN pattern RPAREN     { $$ = $2; }
    | LPAREN pattern_tuple_items RPAREN {
        $$.kind = ast::Pattern::Tuple;
        $$.elements = $2;
        $$.range = @$;
    }
    | LPAREN pattern_tuple_items pattern RPAREN {
        $$.kind = ast::Pattern::Tuple;
        $$.elements = $2;
        $$.elements.push_back($3);
        $$.range = @$;
    }
    ;

pattern_tuple_items
    : pattern COMMA                     { $$.push_back($1); }
    | pattern_tuple_items pattern COMMA { $$ = $1; $$.push_back($2); }
    ;

// ----------------------------------------------------------- expressions ---

expr
    : expr OR expr      { $$ = make_binary(ast::BinaryOp::Or, $1, $3, @$, @2); }
    | expr AND expr     { $$ = make_binary(ast::BinaryOp::And, $1, $3, @$, @2); }
    | NOT expr          { $$ = within_depth_limit(std::make_unique<ast::Unary>(ast::UnaryOp::Not, $2, @$)); }
    | expr EQ expr      { $$ = make_binary(ast::BinaryOp::Eq, $1, $3, @$, @2); }
    | expr NE expr      { $$ = make_binary(ast::BinaryOp::Ne, $1, $3, @$, @2); }
    | expr LT expr      { $$ = make_binary(ast::BinaryOp::Lt, $1, $3, @$, @2); }
    | expr LE expr      { $$ = make_binary(ast::BinaryOp::Le, $1, $3, @$, @2); }
    | expr GT expr      { $$ = make_binary(ast::BinaryOp::Gt, $1, $3, @$, @2); }
    | expr GE expr      { $$ = make_binary(ast::BinaryOp::Ge, $1, $3, @$, @2); }
    | expr DOTDOT expr  { $$ = within_depth_limit(std::make_unique<ast::Range>($1, $3, @$)); }
    | expr PLUS expr    { $$ = make_binary(ast::BinaryOp::Add, $1, $3, @$, @2); }
    | expr MINUS expr   { $$ = make_binary(ast::BinaryOp::Sub, $1, $3, @$, @2); }
    | expr STAR expr    { $$ = make_binary(ast::BinaryOp::Mul, $1, $3, @$, @2); }
    | expr SLASH expr   { $$ = make_binary(ast::BinaryOp::Div, $1, $3, @$, @2); }
    | expr PERCENT expr { $$ = make_binary(ast::BinaryOp::Mod, $1, $3, @$, @2); }
    | expr SLASHSLASH expr { $$ = make_binary(ast::BinaryOp::FloorDiv, $1, $3, @$, @2); }
    | expr AT expr      { $$ = make_binary(ast::BinaryOp::MatMul, $1, $3, @$, @2); }
    | MINUS expr %prec UNARY { $$ = within_depth_limit(std::make_unique<ast::Unary>(ast::UnaryOp::Neg, $2, @$)); }
    | PLUS expr %prec UNARY  { $$ = within_depth_limit(std::make_unique<ast::Unary>(ast::UnaryOp::Plus, $2, @$)); }
    | expr POW expr     { $$ = make_binary(ast::BinaryOp::Pow, $1, $3, @$, @2); }
    | postfix           { $$ = $1; }
    ;

// postfix: atom { '(' args ')' | '.' identifier | '[' subscripts ']' }
postfix
    : atom                          { $$ = $1; }
    | postfix LPAREN args RPAREN    { $$ = within_depth_limit(std::make_unique<ast::Call>($1, $3, @$)); }
    | postfix DOT IDENT {
        auto member = std::make_unique<ast::Member>($1, $3, @$);
        member->member_range = @3;
        $$ = within_depth_limit(std::move(member));
    }
    | postfix LBRACKET subscripts RBRACKET { $$ = within_depth_limit(std::make_unique<ast::Index>($1, $3, @$)); }
    ;

// atom: literal | identifier | '(' expr ')' | tuple | list
atom
    : INT               { $$ = std::make_unique<ast::IntLit>($1, @$); }
    | FLOAT             { $$ = std::make_unique<ast::FloatLit>($1, @$); }
    | STRING            { $$ = std::make_unique<ast::StrLit>($1, @$); }
    | TRUE              { $$ = std::make_unique<ast::BoolLit>(true, @$); }
    | FALSE             { $$ = std::make_unique<ast::BoolLit>(false, @$); }
    | IDENT             { $$ = std::make_unique<ast::Name>($1, @$); }
    | LPAREN expr RPAREN            { $$ = $2; }
    | LPAREN RPAREN                 { $$ = within_depth_limit(std::make_unique<ast::Tuple>(std::vector<ast::ExprPtr>{}, @$)); }
    | LPAREN tuple_items RPAREN     { $$ = within_depth_limit(std::make_unique<ast::Tuple>($2, @$)); }
    | LPAREN tuple_items expr RPAREN {
        std::vector<ast::ExprPtr> elements = $2;
        elements.push_back($3);
        $$ = within_depth_limit(std::make_unique<ast::Tuple>(std::move(elements), @$));
    }
    | LBRACKET RBRACKET             { $$ = within_depth_limit(std::make_unique<ast::List>(std::vector<ast::ExprPtr>{}, @$)); }
    | LBRACKET expr_list RBRACKET   { $$ = within_depth_limit(std::make_unique<ast::List>($2, @$)); }
    | LBRACKET expr_list COMMA RBRACKET { $$ = within_depth_limit(std::make_unique<ast::List>($2, @$)); }
    ;

// tuple_items: expr ',' {expr ','}  — the comma makes `(a,)` a tuple
tuple_items
    : expr COMMA                { $$.push_back($1); }
    | tuple_items expr COMMA    { $$ = $1; $$.push_back($2); }
    ;

expr_list
    : expr                      { $$.push_back($1); }
    | expr_list COMMA expr      { $$ = $1; $$.push_back($3); }
    ;

// args: [arg {',' arg} [',']], keyword arguments after positional ones
args
    : %empty                    {}
    | arg_list                  { $$ = $1; }
    | arg_list COMMA            { $$ = $1; }
    ;

arg_list
    : arg                       { $$.push_back($1); }
    | arg_list COMMA arg {
        $$ = $1;
        ast::Arg arg = $3;
        if (arg.name.empty() && !$$.back().name.empty())
            error(@3, "positional argument after keyword argument");
        $$.push_back(std::move(arg));
    }
    ;

// arg: expr | identifier '=' expr
arg
    : expr                      { $$.value = $1; $$.range = @$; }
    | IDENT ASSIGN expr         { $$.name = $1; $$.value = $3; $$.range = @$; }
    ;

subscripts
    : subscript                     { $$.push_back($1); }
    | subscripts COMMA subscript    { $$ = $1; $$.push_back($3); }
    ;

// subscript: expr | '...' | [expr] ':' [expr] [':' [expr]]
subscript
    : expr                      { $$.kind = ast::IndexItem::Single; $$.index = $1; $$.range = @$; }
    | ELLIPSIS                  { $$.kind = ast::IndexItem::Ellipsis; $$.range = @$; }
    | expr_opt COLON expr_opt {
        $$.kind = ast::IndexItem::Slice;
        $$.start = $1;
        $$.stop = $3;
        $$.range = @$;
    }
    | expr_opt COLON expr_opt COLON expr_opt {
        $$.kind = ast::IndexItem::Slice;
        $$.start = $1;
        $$.stop = $3;
        $$.step = $5;
        $$.range = @$;
    }
    ;

expr_opt
    : %empty                    { $$ = nullptr; }
    | expr                      { $$ = $1; }
    ;

%%
