// Tokens of the IR's text form (grammar in ir/parser.h): a hand-written
// lexer over one source buffer. `//` starts a comment to the end of the line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "support/source.h"

namespace nnc::ir {

enum class Tok {
    Eof,
    Error,       // text: what is wrong
    Ident,       // op names, dtypes, dimension symbols, keywords: add, f32, B, _, iter, nan
    ValueName,   // %x, %3 (text without the `%`)
    FuncName,    // @loss, @"grad(loss)" (text without the `@` and the quotes, still escaped)
    Caret,       // ^
    Integer,     // 42, -1
    Float,       // 0.5, 1e-07, -2.5e+10, -inf
    String,      // "model.nn" (text without the quotes, still escaped)
    LParen, RParen, LBracket, RBracket, LBrace, RBrace, Less, Greater,
    Comma, Colon, Equal, Arrow,
};

struct Token {
    Tok kind = Tok::Eof;
    std::string_view text;
    std::string message;   // for Tok::Error
    SourceRange range;
};

class Lexer {
public:
    Lexer(std::string_view text, uint32_t file) : text_(text), file_(file) {}
    Token next();

private:
    SourceLoc here() const { return {file_, line_, col_}; }
    char peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
    void advance();
    void skip_space_and_comments();
    Token make(Tok kind, size_t begin, SourceLoc start);
    Token number(size_t begin, SourceLoc start);
    Token quoted(Tok kind, size_t begin, SourceLoc start);

    std::string_view text_;
    uint32_t file_;
    size_t pos_ = 0;
    uint32_t line_ = 1;
    uint32_t col_ = 1;
};

// `\"` and `\\` in a String or quoted FuncName token, unescaped.
std::string unescape(std::string_view text);

}  // namespace nnc::ir
