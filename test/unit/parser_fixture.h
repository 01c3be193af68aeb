// The fixture of the frontend's unit tests: parses text as a file of its
// own and collects the diagnostics.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/parse.h"

namespace nnc {

class ParserTest : public ::testing::Test {
protected:
    using Program = ast::Program;
    using Expr = ast::Expr;

    // Parses `text` as the file "test.nn"; diagnostics go to errors().
    std::unique_ptr<Program> parse_text(const std::string& text) {
        file_ = sources_.add_buffer("test.nn", text);
        return parse(sources_, file_, diags_);
    }

    // The only statement of a program, as a T.
    template <class T> const T& only(const Program& program) {
        EXPECT_EQ(program.stmts.size(), 1u);
        const T* stmt = dyn_cast<T>(program.stmts.at(0).get());
        EXPECT_NE(stmt, nullptr);
        return *stmt;
    }

    // The value of `let x = <expr>`, parsed on its own.
    const Expr& let_value(const std::string& expr) {
        programs_.push_back(parse_text("let x = " + expr));
        EXPECT_NE(programs_.back(), nullptr) << errors();
        return *only<ast::Let>(*programs_.back()).value;
    }

    std::string ast_of(const std::string& text) {
        auto program = parse_text(text);
        EXPECT_NE(program, nullptr) << errors();
        std::ostringstream out;
        if (program) print_ast(*program, out);
        return out.str();
    }

    std::string errors() const { return errors_.str(); }

    SourceManager sources_;
    uint32_t file_ = 0;
    std::ostringstream errors_;
    DiagnosticEngine diags_{sources_, errors_};
    std::vector<std::unique_ptr<Program>> programs_;
};

// A range as "line:col-line:col".
inline std::string at(const SourceRange& r) {
    return std::to_string(r.begin.line) + ":" + std::to_string(r.begin.col) + "-" + std::to_string(r.end.line) + ":" +
           std::to_string(r.end.col);
}


}  // namespace nnc
