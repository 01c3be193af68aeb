// The IR text lexer: names, sigils, numbers, strings and punctuation, with
// line:column ranges for diagnostics.
#include "ir/lexer.h"

#include <cctype>

namespace nnc::ir {

namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

Tok punctuation(char c) {
    switch (c) {
    case '(': return Tok::LParen;
    case ')': return Tok::RParen;
    case '[': return Tok::LBracket;
    case ']': return Tok::RBracket;
    case '{': return Tok::LBrace;
    case '}': return Tok::RBrace;
    case '<': return Tok::Less;
    case '>': return Tok::Greater;
    case ',': return Tok::Comma;
    case ':': return Tok::Colon;
    case '=': return Tok::Equal;
    case '^': return Tok::Caret;
    default: return Tok::Error;
    }
}

}  // namespace

void Lexer::advance() {
    if (text_[pos_] == '\n') ++line_, col_ = 1;
    else ++col_;
    ++pos_;
}

void Lexer::skip_space_and_comments() {
    while (pos_ < text_.size()) {
        if (std::isspace(static_cast<unsigned char>(peek()))) advance();
        else if (peek() == '/' && peek(1) == '/')
            while (pos_ < text_.size() && peek() != '\n') advance();
        else break;
    }
}

Token Lexer::make(Tok kind, size_t begin, SourceLoc start) {
    return Token{kind, text_.substr(begin, pos_ - begin), {}, {start, here()}};
}

Token Lexer::next() {
    skip_space_and_comments();
    const SourceLoc start = here();
    const size_t begin = pos_;
    if (pos_ >= text_.size()) return make(Tok::Eof, begin, start);
    const char c = peek();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        while (is_name_char(peek())) advance();
        return make(Tok::Ident, begin, start);
    }
    if (c == '%' || c == '@') {
        advance();
        if (c == '@' && peek() == '"') return quoted(Tok::FuncName, begin, start);
        while (is_name_char(peek()) || (c == '@' && peek() == '.')) advance();
        Token t = make(c == '%' ? Tok::ValueName : Tok::FuncName, begin, start);
        t.text.remove_prefix(1);
        if (t.text.empty()) t.kind = Tok::Error, t.message = std::string("expected a name after '") + c + "'";
        return t;
    }
    if (c == '-' && peek(1) == '>') {
        advance(), advance();
        return make(Tok::Arrow, begin, start);
    }
    if (is_digit(c) || (c == '-' && (is_digit(peek(1)) || text_.substr(pos_, 4) == "-inf")))
        return number(begin, start);
    if (c == '"') return quoted(Tok::String, begin, start);
    advance();
    Token t = make(punctuation(c), begin, start);
    if (t.kind == Tok::Error) t.message = std::string("unexpected character '") + c + "'";
    return t;
}

// -?digits[.digits][e[+-]digits], or -inf. A `.` or an exponent makes it a Float.
Token Lexer::number(size_t begin, SourceLoc start) {
    if (peek() == '-') advance();
    if (peek() == 'i') {   // -inf
        advance(), advance(), advance();
        return make(Tok::Float, begin, start);
    }
    bool is_float = false;
    while (is_digit(peek())) advance();
    if (peek() == '.') {
        is_float = true;
        advance();
        while (is_digit(peek())) advance();
    }
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
        is_float = true;
        advance(), advance();
        while (is_digit(peek())) advance();
    }
    return make(is_float ? Tok::Float : Tok::Integer, begin, start);
}

// A "..." string (the opening quote at `pos_`); `\` escapes the next character.
Token Lexer::quoted(Tok kind, size_t begin, SourceLoc start) {
    advance();
    const size_t content = pos_;
    while (pos_ < text_.size() && peek() != '"' && peek() != '\n') {
        if (peek() == '\\' && pos_ + 1 < text_.size()) advance();
        advance();
    }
    if (peek() != '"') {
        Token t = make(Tok::Error, begin, start);
        t.message = "unterminated string";
        return t;
    }
    const size_t content_end = pos_;
    advance();
    Token t = make(kind, begin, start);
    t.text = text_.substr(content, content_end - content);
    return t;
}

std::string unescape(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        out += text[i];
    }
    return out;
}

}  // namespace nnc::ir
