// Unit tests of the lexer as the parser sees it: tokens with their
// ranges, newlines only where a statement ends, bad characters skipped,
// and when the REPL needs another line.
#include <gtest/gtest.h>

#include "test/unit/parser_fixture.h"

namespace nnc {
namespace {

TEST_F(ParserTest, Tokenize) {
    file_ = sources_.add_buffer("test.nn", "fn f(x) -> f32 {\n  x ** 2 # c\n}\nlet s = \"a\\n\"");
    std::vector<TokenInfo> tokens = tokenize(sources_, file_, diags_);
    std::ostringstream out;
    print_tokens(tokens, out);
    EXPECT_EQ(out.str(),
              "1:1 fn 'fn'\n"
              "1:4 identifier 'f'\n"
              "1:5 ( '('\n"
              "1:6 identifier 'x'\n"
              "1:7 ) ')'\n"
              "1:9 -> '->'\n"
              "1:12 identifier 'f32'\n"
              "1:16 { '{'\n"
              "2:3 identifier 'x'\n"
              "2:5 ** '**'\n"
              "2:8 integer '2'\n"
              "2:13 newline '\\n'\n"
              "3:1 } '}'\n"
              "3:2 newline '\\n'\n"
              "4:1 let 'let'\n"
              "4:5 identifier 's'\n"
              "4:7 = '='\n"
              "4:9 string 'a\\n'\n"
              "4:14 eof ''\n");
    EXPECT_EQ(tokens[17].text, "a\n");   // strings carry their decoded value
}

TEST_F(ParserTest, TokenizeSkipsBadCharacters) {
    file_ = sources_.add_buffer("test.nn", "a ? b");
    std::vector<TokenInfo> tokens = tokenize(sources_, file_, diags_);
    ASSERT_EQ(tokens.size(), 3u);
    EXPECT_EQ(tokens[1].text, "b");
    EXPECT_EQ(errors(), "test.nn:1:3: error: unexpected character '?'\na ? b\n  ^\n");
}

TEST(NeedsMoreInput, OpenBracketsAndTrailingOperators) {
    EXPECT_FALSE(needs_more_input(""));
    EXPECT_FALSE(needs_more_input("let x = 1\n"));
    EXPECT_FALSE(needs_more_input("x = 1;\n"));
    EXPECT_FALSE(needs_more_input("fn f() { return 1 }\n"));
    EXPECT_FALSE(needs_more_input("# just a comment (\n"));
    EXPECT_FALSE(needs_more_input("print(\"(\")\n"));
    EXPECT_TRUE(needs_more_input("fn f(x) {\n"));
    EXPECT_TRUE(needs_more_input("fn f(x) {\n  if x {\n  }\n"));
    EXPECT_TRUE(needs_more_input("print(a,\n"));
    EXPECT_TRUE(needs_more_input("let y = [1, 2\n"));
    EXPECT_TRUE(needs_more_input("let y = x +\n"));
    EXPECT_TRUE(needs_more_input("let y = a and\n"));
    EXPECT_TRUE(needs_more_input("f(a),\n"));
    EXPECT_TRUE(needs_more_input("if c { } else\n"));
    EXPECT_FALSE(needs_more_input("print(\"unterminated\n"));   // an error more lines cannot fix
}

}  // namespace
}  // namespace nnc
