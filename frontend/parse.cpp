// Parsing a buffer with the generated parser (see parse.h), and how the
// parser reports a syntax error.
#include "frontend/parse.h"

#include "frontend/lexer.h"
#include "frontend/parser.hpp"

namespace nnc {

void Parser::error(const SourceRange& range, const std::string& message) {
    if (!lexer.cut_short()) diags.error(range, message);
}

std::unique_ptr<ast::Program> parse(const SourceManager& sm, uint32_t file, DiagnosticEngine& diags) {
    int errors_before = diags.error_count();
    auto program = std::make_unique<ast::Program>();
    Lexer lexer(sm, file, diags);
    Parser parser(lexer, diags, *program);
    if (parser.parse() != 0 || diags.error_count() != errors_before) return nullptr;
    return program;
}

}  // namespace nnc
