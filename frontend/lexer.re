// The scanner: re2c rules from source text to Bison tokens, and the newline
// rules of lexer.h. Reentrant: all state lives in the Lexer object. re2c
// turns this file into lexer.cpp in the build tree.
//
// Lexical decisions:
//   - identifiers are [A-Za-z_][A-Za-z0-9_]*; `_` alone is an identifier
//     (a `_` dimension means "any size", a `_` pattern discards);
//   - element types (f32, i32, ...) are identifiers, resolved by the grammar;
//   - integers are decimal digits; floats need digits on both sides of the
//     dot (`0.5`, not `.5` or `2.`, so that `0..n` is a range) or an
//     exponent (`1e-3`, `2.5E+4`);
//   - strings are "..." on one line, with the escapes \n \t \" \\.
#include "frontend/lexer.h"

#include <charconv>
#include <cstdio>

namespace nnc {

namespace {

using Kind = Parser::symbol_kind_type;

// Tokens after which a line break ends the statement.
bool can_end_statement(Kind kind) {
    switch (kind) {
    case Kind::S_IDENT: case Kind::S_INT: case Kind::S_FLOAT: case Kind::S_STRING:
    case Kind::S_TRUE: case Kind::S_FALSE: case Kind::S_BREAK: case Kind::S_CONTINUE:
    case Kind::S_RETURN: case Kind::S_RPAREN: case Kind::S_RBRACKET: case Kind::S_RBRACE:
    case Kind::S_ELLIPSIS: case Kind::S_YYerror:
        return true;
    default:
        return false;
    }
}

bool is_terminator(Kind kind) { return kind == Kind::S_NEWLINE || kind == Kind::S_SEMI; }

bool is_identifier_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

Lexer::Lexer(const SourceManager& sources, uint32_t file, DiagnosticEngine& diags)
    : file_(file), diags_(diags) {
    const std::string& text = sources.text(file);
    cursor_ = reinterpret_cast<const Char*>(text.c_str());
    limit_ = cursor_ + text.size();
    token_ = line_start_ = cursor_;
}

Parser::symbol_type Lexer::next() {
    for (;;) {
        Parser::symbol_type token = scan();
        Kind kind = token.kind();
        if (kind == Kind::S_NEWLINE) {
            bool inside_parens = !brackets_.empty() && brackets_.back() != '{';
            if (inside_parens || !can_end_statement(previous_) || else_follows()) continue;
        }
        if (kind == Kind::S_YYEOF) return token;
        track_bracket(kind);
        if (brackets_.size() > kMaxBrackets) {
            // Each open bracket is a level of recursion for the parser's
            // users: stop reading here, with one error.
            diags_.error(token.location, "brackets nested more than " + std::to_string(kMaxBrackets) + " deep");
            cursor_ = limit_;
            cut_short_ = true;
            return Parser::make_YYEOF(end_of_input());
        }
        previous_ = kind;
        previous_range_ = token.location;
        previous_begin_ = token_;
        previous_end_ = cursor_;
        return token;
    }
}

std::string_view Lexer::token_text() const {
    return {reinterpret_cast<const char*>(previous_begin_), static_cast<size_t>(previous_end_ - previous_begin_)};
}

bool Lexer::statement_continues() const { return !is_terminator(previous_) && !can_end_statement(previous_); }

SourceLoc Lexer::location(const Char* p) const {
    return {file_, line_, static_cast<uint32_t>(p - line_start_) + 1};
}

void Lexer::track_bracket(Kind kind) {
    switch (kind) {
    case Kind::S_LPAREN: brackets_.push_back('('); break;
    case Kind::S_LBRACKET: brackets_.push_back('['); break;
    case Kind::S_LBRACE:
        // No `{` is ever inside ( ) or [ ]: any still open were left unclosed.
        while (!brackets_.empty() && brackets_.back() != '{') brackets_.pop_back();
        brackets_.push_back('{');
        break;
    case Kind::S_RPAREN:
        if (!brackets_.empty() && brackets_.back() == '(') brackets_.pop_back();
        break;
    case Kind::S_RBRACKET:
        if (!brackets_.empty() && brackets_.back() == '[') brackets_.pop_back();
        break;
    case Kind::S_RBRACE:
        for (size_t open = brackets_.size(); open-- > 0;) {
            if (brackets_[open] == '{') {
                brackets_.resize(open);
                break;
            }
        }
        break;
    default: break;
    }
}

// Whether the next word after blanks, line breaks and comments is `else`.
bool Lexer::else_follows() const {
    const Char* p = cursor_;
    while (p < limit_) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            ++p;
        } else if (*p == '#') {
            while (p < limit_ && *p != '\n') ++p;
        } else {
            break;
        }
    }
    std::string_view rest(reinterpret_cast<const char*>(p), static_cast<size_t>(limit_ - p));
    return rest.starts_with("else") && (rest.size() == 4 || !is_identifier_char(rest[4]));
}

// Where the end of the input is reported: just past the last token (the
// text of its line, for a newline), not after trailing blank or comment lines.
SourceRange Lexer::end_of_input() const {
    if (previous_begin_ == nullptr) return token_range();
    SourceLoc end = previous_ == Kind::S_NEWLINE ? previous_range_.begin : previous_range_.end;
    return {end, end};
}

Parser::symbol_type Lexer::bad_character(const std::string& message) {
    diags_.error(token_range(), message);
    return Parser::make_YYerror(token_range());
}

// `'$'` for a printable character, `'\x01'` for any other byte.
std::string Lexer::quoted_character() const {
    char text[8];
    bool printable = *token_ >= 0x20 && *token_ < 0x7f;
    std::snprintf(text, sizeof text, printable ? "'%c'" : "'\\x%02x'", *token_);
    return text;
}

Parser::symbol_type Lexer::scan_integer() {
    int64_t value = 0;
    auto [end, status] = std::from_chars(reinterpret_cast<const char*>(token_), reinterpret_cast<const char*>(cursor_), value);
    if (status != std::errc()) {
        diags_.error(token_range(), "integer literal is too large");
        return Parser::make_YYerror(token_range());
    }
    return Parser::make_INT(value, token_range());
}

Parser::symbol_type Lexer::scan_float() {
    double value = 0;
    auto [end, status] = std::from_chars(reinterpret_cast<const char*>(token_), reinterpret_cast<const char*>(cursor_), value);
    if (status != std::errc()) {
        diags_.error(token_range(), "float literal is out of range");
        return Parser::make_YYerror(token_range());
    }
    return Parser::make_FLOAT(value, token_range());
}

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:define:YYCURSOR = cursor_;
    re2c:define:YYMARKER = marker_;
    re2c:define:YYLIMIT = limit_;
    re2c:yyfill:enable = 0;
    re2c:eof = 0;

    digits = [0-9]+;
    exponent = [eE] [+-]? digits;
    identifier = [a-zA-Z_] [a-zA-Z0-9_]*;
*/

Parser::symbol_type Lexer::scan() {
    for (;;) {
        token_ = cursor_;
        /*!re2c
            $            { return Parser::make_YYEOF(end_of_input()); }
            [ \t\r]+     { continue; }
            "#" [^\n]*   { continue; }
            "\n" {
                SourceRange range = token_range();
                ++line_;
                line_start_ = cursor_;
                return Parser::make_NEWLINE(range);
            }

            "fn"       { return Parser::make_FN(token_range()); }
            "model"    { return Parser::make_MODEL(token_range()); }
            "param"    { return Parser::make_PARAM(token_range()); }
            "buffer"   { return Parser::make_BUFFER(token_range()); }
            "let"      { return Parser::make_LET(token_range()); }
            "return"   { return Parser::make_RETURN(token_range()); }
            "if"       { return Parser::make_IF(token_range()); }
            "else"     { return Parser::make_ELSE(token_range()); }
            "for"      { return Parser::make_FOR(token_range()); }
            "in"       { return Parser::make_IN(token_range()); }
            "while"    { return Parser::make_WHILE(token_range()); }
            "break"    { return Parser::make_BREAK(token_range()); }
            "continue" { return Parser::make_CONTINUE(token_range()); }
            "import"   { return Parser::make_IMPORT(token_range()); }
            "as"       { return Parser::make_AS(token_range()); }
            "and"      { return Parser::make_AND(token_range()); }
            "or"       { return Parser::make_OR(token_range()); }
            "not"      { return Parser::make_NOT(token_range()); }
            "true"     { return Parser::make_TRUE(token_range()); }
            "false"    { return Parser::make_FALSE(token_range()); }

            identifier {
                return Parser::make_IDENT(std::string(token_, cursor_), token_range());
            }
            digits                                  { return scan_integer(); }
            digits "." digits exponent? | digits exponent { return scan_float(); }
            "\""                                    { return scan_string(); }

            "+"   { return Parser::make_PLUS(token_range()); }
            "-"   { return Parser::make_MINUS(token_range()); }
            "*"   { return Parser::make_STAR(token_range()); }
            "/"   { return Parser::make_SLASH(token_range()); }
            "//"  { return Parser::make_SLASHSLASH(token_range()); }
            "%"   { return Parser::make_PERCENT(token_range()); }
            "**"  { return Parser::make_POW(token_range()); }
            "@"   { return Parser::make_AT(token_range()); }
            "=="  { return Parser::make_EQ(token_range()); }
            "!="  { return Parser::make_NE(token_range()); }
            "<"   { return Parser::make_LT(token_range()); }
            "<="  { return Parser::make_LE(token_range()); }
            ">"   { return Parser::make_GT(token_range()); }
            ">="  { return Parser::make_GE(token_range()); }
            "="   { return Parser::make_ASSIGN(token_range()); }
            "+="  { return Parser::make_PLUS_ASSIGN(token_range()); }
            "-="  { return Parser::make_MINUS_ASSIGN(token_range()); }
            "*="  { return Parser::make_STAR_ASSIGN(token_range()); }
            "/="  { return Parser::make_SLASH_ASSIGN(token_range()); }
            "("   { return Parser::make_LPAREN(token_range()); }
            ")"   { return Parser::make_RPAREN(token_range()); }
            "["   { return Parser::make_LBRACKET(token_range()); }
            "]"   { return Parser::make_RBRACKET(token_range()); }
            "{"   { return Parser::make_LBRACE(token_range()); }
            "}"   { return Parser::make_RBRACE(token_range()); }
            ","   { return Parser::make_COMMA(token_range()); }
            ":"   { return Parser::make_COLON(token_range()); }
            ";"   { return Parser::make_SEMI(token_range()); }
            "."   { return Parser::make_DOT(token_range()); }
            ".."  { return Parser::make_DOTDOT(token_range()); }
            "..." { return Parser::make_ELLIPSIS(token_range()); }
            "->"  { return Parser::make_ARROW(token_range()); }

            [\x80-\xff]+ { return bad_character("non-ASCII text is only allowed in strings and comments"); }
            *            { return bad_character("unexpected character " + quoted_character()); }
        */
    }
}

// The rest of a string literal after its opening quote; the value has its
// escapes decoded. A string ends on its line.
Parser::symbol_type Lexer::scan_string() {
    std::string value;
    for (;;) {
        const Char* piece = cursor_;
        /*!re2c
            "\""     { return Parser::make_STRING(std::move(value), token_range()); }
            "\\n"    { value += '\n'; continue; }
            "\\t"    { value += '\t'; continue; }
            "\\\""   { value += '"'; continue; }
            "\\\\"   { value += '\\'; continue; }
            "\\" [^\n] {
                diags_.error({location(piece), location(cursor_)}, "unknown escape sequence in string");
                continue;
            }
            [^"\\\n]+ { value.append(piece, cursor_); continue; }
            "\\" | "\n" { return unterminated_string(piece); }
            $           { return unterminated_string(piece); }
        */
    }
}

// A string that meets a line break (or a lone `\` before one, or the end of
// the input) before its closing quote.
Parser::symbol_type Lexer::unterminated_string(const Char* piece) {
    if (*piece != '\\') cursor_ = piece;   // the line break stays a token of its own
    diags_.error(token_range(), "unterminated string");
    return Parser::make_YYerror(token_range());
}

}  // namespace nnc
