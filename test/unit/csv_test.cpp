// CSV splitting and number parsing (interp/csv).
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/io/csv.h"

namespace nnc {
namespace {

std::string texts(const CsvTable& t) {
    std::string s;
    for (const CsvField& f : t.fields) s += std::string(f.text) + "@" + std::to_string(f.line) + ":" + std::to_string(f.column) + " ";
    return s;
}

TEST(Csv, HeaderDetected) {
    CsvTable t = split_csv("a,b\n1,2\n 3 , 4\n", std::nullopt);
    EXPECT_EQ(t.header, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(t.columns, 2);
    EXPECT_EQ(t.rows(), 2);
    EXPECT_EQ(texts(t), "1@2:1 2@2:3 3@3:2 4@3:6 ");
    EXPECT_TRUE(split_csv("1,2\n", std::nullopt).header.empty());
    EXPECT_EQ(split_csv("1,2\n3,4", true).header, (std::vector<std::string>{"1", "2"}));
    EXPECT_TRUE(split_csv("a,b\n3,4", false).header.empty());
}

TEST(Csv, QuotesBlankLinesAndLineEnds) {
    CsvTable t = split_csv("\xEF\xBB\xBF\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n\"1\",2\r\n", std::nullopt);
    EXPECT_EQ(t.header, (std::vector<std::string>{"x, y", "say \"hi\""}));
    EXPECT_EQ(texts(t), "1@3:1 2@3:5 ");
}

TEST(Csv, Errors) {
    auto error = [](std::string_view text) {
        try {
            split_csv(text, std::nullopt);
        } catch (const CsvError& e) {
            return std::to_string(e.line) + ":" + std::to_string(e.column) + " " + e.what();
        }
        return std::string("no error");
    };
    EXPECT_EQ(error(""), "0:0 the file has no rows");
    EXPECT_EQ(error("\n \n"), "0:0 the file has no rows");
    EXPECT_EQ(error("a,b\n"), "0:0 the file has a header line but no data rows");
    EXPECT_EQ(error("1,2\n3\n"), "2:0 this row has 1 fields, but the first row (line 1) has 2");
    EXPECT_EQ(error("1,\"2\n"), "1:3 unterminated quoted field");
}

TEST(Csv, Numbers) {
    auto field = [](std::string_view s) { return CsvField{s, 1, 1}; };
    EXPECT_EQ(csv_float(field("1.5")), 1.5f);
    EXPECT_EQ(csv_float(field("+2e3")), 2000.0f);
    EXPECT_EQ(csv_float(field("1e-60")), 0.0f);
    EXPECT_TRUE(std::isinf(csv_float(field("-inf"))));
    EXPECT_THROW(csv_float(field("1e39")), CsvError);
    EXPECT_THROW(csv_float(field("1.5x")), CsvError);
    EXPECT_THROW(csv_float(field("")), CsvError);
    EXPECT_EQ(csv_integer(field("-7")), -7);
    EXPECT_EQ(csv_integer(field("3.0")), 3);
    EXPECT_THROW(csv_integer(field("3.5")), CsvError);
    EXPECT_THROW(csv_integer(field("nan")), CsvError);
}

}  // namespace
}  // namespace nnc
