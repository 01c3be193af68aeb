// Token-level entry points: tokenize and print_tokens for `nnc emit
// --stage=tokens`, and needs_more_input, which tells the REPL whether the
// text typed so far is an unfinished statement.
#include <sstream>

#include "frontend/lexer.h"
#include "frontend/parse.h"

namespace nnc {

namespace {

// "identifier", "newline", "eof", or the spelling of a keyword or
// punctuation token ("fn", "+="): Bison's name without its quotes.
std::string kind_name(Parser::symbol_kind_type kind) {
    if (kind == Parser::symbol_kind::S_YYEOF) return "eof";
    std::string name = Parser::symbol_name(kind);
    if (name.size() >= 2 && name.front() == '\'' && name.back() == '\'') return name.substr(1, name.size() - 2);
    return name;
}

}  // namespace

std::vector<TokenInfo> tokenize(const SourceManager& sm, uint32_t file, DiagnosticEngine& diags) {
    Lexer lexer(sm, file, diags);
    std::vector<TokenInfo> tokens;
    for (;;) {
        Parser::symbol_type token = lexer.next();
        Parser::symbol_kind_type kind = token.kind();
        if (kind == Parser::symbol_kind::S_YYerror) continue;   // reported by the lexer
        TokenInfo info{kind_name(kind), "", token.location};
        if (kind == Parser::symbol_kind::S_STRING)
            info.text = token.value.as<std::string>();
        else if (kind != Parser::symbol_kind::S_YYEOF)
            info.text = lexer.token_text();
        tokens.push_back(std::move(info));
        if (kind == Parser::symbol_kind::S_YYEOF) return tokens;
    }
}

void print_tokens(const std::vector<TokenInfo>& tokens, std::ostream& out) {
    for (const TokenInfo& token : tokens)
        out << token.range.begin.line << ':' << token.range.begin.col << ' ' << token.kind << " '"
            << ast::escape(token.text) << "'\n";
}

bool needs_more_input(const std::string& text) {
    SourceManager sources;
    uint32_t file = sources.add_buffer("<input>", text);
    std::ostringstream ignored;
    DiagnosticEngine diags(sources, ignored);
    Lexer lexer(sources, file, diags);
    while (lexer.next().kind() != Parser::symbol_kind::S_YYEOF) {
    }
    // A lexical error will not go away with more lines: let the parser report it.
    if (diags.error_count() > 0) return false;
    return lexer.open_brackets() > 0 || lexer.statement_continues();
}

}  // namespace nnc
