// Reads the IR's text form (what ir/printer.h writes) back into a Module;
// a recursive-descent parser over ir/lexer.h. The grammar:
//
//   module    ::= function*
//   function  ::= 'func' func-name '(' [param (',' param)*] ')' '->' results '{' op* '}'
//   func-name ::= '@' identifier | '@' string
//   param     ::= value-name ':' type
//   results   ::= type | '(' [type (',' type)*] ')'
//   type      ::= dtype ['[' dim (',' dim)* ']']          f32, i64[B, 3], bool[_]
//   dim       ::= integer | identifier                     known, symbol, `_` = unknown
//   op        ::= [value-name (',' value-name)* '='] op-body [':' type (',' type)*] [location]
//   op-body   ::= 'constant' dense
//               | 'for' value 'iter' '(' [values] ')' region
//               | 'if' value region 'else' region
//               | 'while' 'iter' '(' [values] ')' region 'do' region
//               | 'yield' [values] | 'return' [values]
//               | op-name [values] [attributes]           any primitive of core/ops.def
//   region    ::= '{' ['^' '(' [param (',' param)*] ')' ':'] op* '}'
//   attributes::= '{' name '=' attr (',' name '=' attr)* '}'
//   attr      ::= 'true' | 'false' | integer | float | '[' [integer (',' integer)*] ']' | dtype
//   dense     ::= 'dense' '<' (element | list | string) '>'     see ir/dense.h
//   location  ::= 'loc' '(' string ':' line ':' col ['to' line ':' col] ')'
//
// Names are scoped like values: a region sees the names defined before it
// in the enclosing blocks, and its own names end with it. A name is defined
// once per function. Integers are int attributes, numbers with `.` or an
// exponent (and nan, inf) are doubles. An op without `loc(...)` gets its
// place in the IR text as its location, so verifier messages point there.
//
// The parser checks syntax, names, op names, operand and result counts and
// the declared result types of functions; types against shape rules and the
// structure of regions are ir/verifier.h's job (nnc-opt runs it next).
#pragma once

#include <optional>

#include "support/diagnostics.h"
#include "ir/function.h"

namespace nnc::ir {

// Parses buffer `file` of `sources`. Files named in `loc(...)` are added to
// `sources` (empty, when not already there). Reports the first error to
// `diags` and returns nullopt.
std::optional<Module> parse_module(SourceManager& sources, uint32_t file, DiagnosticEngine& diags);

}  // namespace nnc::ir
