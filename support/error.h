// Two kinds of failure, kept apart as Halide's user_assert and
// internal_assert keep them:
//   - a user error: the program or its input is wrong. It is reported as a
//     diagnostic at the source line (CompileError, ShapeError, RuntimeError)
//     and the user can act on it.
//   - an internal error: nnc itself is wrong (a broken invariant, a missing
//     rule). internal_error() and NNC_CHECK raise InternalError, in Debug and
//     Release builds alike, naming the file and line that found it.
#pragma once

#include <source_location>
#include <stdexcept>
#include <string>

namespace nnc {

// A bug in nnc, never in the user's program. what() is
// "internal error: <message> (<file>:<line>)".
class InternalError : public std::logic_error {
public:
    InternalError(const std::string& message, const std::string& where)
        : std::logic_error("internal error: " + message + " (" + where + ")"), message_(message) {}
    // Without the prefix and the place (the verifier reports it on an op).
    const std::string& message() const { return message_; }

private:
    std::string message_;
};

// Throws InternalError naming the caller's file and line.
[[noreturn]] void internal_error(const std::string& message, std::source_location where = std::source_location::current());

}  // namespace nnc

// Checks an invariant of nnc itself; stays on in Release builds.
#define NNC_CHECK(condition, message)                                  \
    do {                                                               \
        if (!(condition)) ::nnc::internal_error(message);              \
    } while (false)
