// RAII helpers for state that must be restored on every exit path,
// exceptions included: a variable set for a scope, a stack pushed for one.
#pragma once

#include <utility>
#include <vector>

namespace nnc {

// Sets `var` to `value` now and back to its old value at the end of scope.
template <class T> class ScopedValue {
public:
    ScopedValue(T& var, T value) : var_(var), saved_(std::exchange(var, std::move(value))) {}
    ~ScopedValue() { var_ = std::move(saved_); }
    ScopedValue(const ScopedValue&) = delete;
    ScopedValue& operator=(const ScopedValue&) = delete;

private:
    T& var_;
    T saved_;
};

// Pushes `value` onto `stack` now and pops it at the end of scope.
template <class T> class ScopedPush {
public:
    ScopedPush(std::vector<T>& stack, T value) : stack_(stack) { stack_.push_back(std::move(value)); }
    ~ScopedPush() { stack_.pop_back(); }
    ScopedPush(const ScopedPush&) = delete;
    ScopedPush& operator=(const ScopedPush&) = delete;

private:
    std::vector<T>& stack_;
};

}  // namespace nnc
