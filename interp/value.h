// Value: what a .nn expression evaluates to in the evaluator. Host values
// (none, bool, int, float, str, dtype, range) are held inline; tensors are
// either concrete (`Tensor`) or abstract (`AbstractTensor`, only a type —
// used when checking a program without running it); heap objects (tuples,
// lists, functions, models, modules) share an `Object` base.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/dtype.h"
#include "core/shape.h"
#include "runtime/tensor.h"

namespace nnc {

namespace ir {
class Value;
}
struct Object;

struct NoneValue {
    bool operator==(const NoneValue&) const = default;
};

// A host value that is not known while checking (a parameter, data read
// from a file). Operations on it give Unknown; it is never an error. While
// tracing, the size of a symbolic dimension (`x.shape[0]`, `B`) is an
// Unknown whose `size` is the IR value (i64, rank 0) computing it: a loop
// over `0..T` and `zeros([B, 16])` use it; anything else that needs the
// int itself traces the call again with concrete shapes.
struct UnknownValue {
    ir::Value* size = nullptr;
};

// A tensor whose type is known but whose contents are not: while checking,
// or while tracing, where `ir` is the IR value that will hold it.
struct AbstractTensor {
    TensorType type;
    ir::Value* ir = nullptr;
    bool weak = false;   // stands for a host int (a traced loop index); see Interpreter::elementwise
};

// `start..stop` with a step (1 unless made by a builtin).
struct RangeValue {
    int64_t start = 0, stop = 0, step = 1;
    uint64_t length() const;            // may exceed INT64_MAX (-2**63+1..3)
    int64_t at(uint64_t i) const;       // start + i * step, for i < length()
};

class Value {
public:
    using Storage = std::variant<NoneValue, bool, int64_t, double, std::string, DType, RangeValue,
                                 Tensor, AbstractTensor, UnknownValue, std::shared_ptr<Object>>;
    Value() : v_(NoneValue{}) {}
    template <class T>
        requires std::is_constructible_v<Storage, T&&>
    Value(T&& x) : v_(std::forward<T>(x)) {}
    Value(int v) : v_(int64_t{v}) {}
    Value(const char* s) : v_(std::string(s)) {}

    template <class T> bool is() const { return std::holds_alternative<T>(v_); }
    template <class T> const T& as() const { return std::get<T>(v_); }
    template <class T> T& as() { return std::get<T>(v_); }
    const Storage& storage() const { return v_; }

    bool is_none() const { return is<NoneValue>(); }
    bool is_unknown() const { return is<UnknownValue>(); }
    bool is_number() const { return is<int64_t>() || is<double>() || is<bool>(); }
    bool is_tensor() const { return is<Tensor>() || is<AbstractTensor>(); }

    // The object if this holds one of class T (checked by its kind).
    template <class T> T* object() const;

    // Tensor type of a concrete or abstract tensor. Requires is_tensor().
    TensorType tensor_type() const;

private:
    Storage v_;
};

// Base of heap values. `kind` drives isa/dyn_cast-style checks.
struct Object {
    enum class Kind { Tuple, List, Function, Builtin, BoundMethod, ModelClass, ModelInstance, Module, Iterator };
    explicit Object(Kind k) : kind(k) {}
    virtual ~Object() = default;
    const Kind kind;
};

template <class T> T* Value::object() const {
    if (!is<std::shared_ptr<Object>>()) return nullptr;
    Object* o = std::get<std::shared_ptr<Object>>(v_).get();
    return o && T::classof(o) ? static_cast<T*>(o) : nullptr;
}

struct TupleObject : Object {
    explicit TupleObject(std::vector<Value> e) : Object(Kind::Tuple), elements(std::move(e)) {}
    std::vector<Value> elements;
    static bool classof(const Object* o) { return o->kind == Kind::Tuple; }
};

// Lists are mutable and shared by reference (like Python's).
struct ListObject : Object {
    explicit ListObject(std::vector<Value> e) : Object(Kind::List), elements(std::move(e)) {}
    std::vector<Value> elements;
    static bool classof(const Object* o) { return o->kind == Kind::List; }
};

// The elements of a tuple or list; null for any other value.
const std::vector<Value>* sequence_elements(const Value& v);

// Whether `v` is the size of a symbolic dimension while tracing (an Unknown with its IR value).
inline bool is_symbolic_size(const Value& v) { return v.is_unknown() && v.as<UnknownValue>().size; }

Value make_tuple(std::vector<Value> elements);
Value make_list(std::vector<Value> elements);

// Name of a value's type for messages: "int", "f32[2, 3]", "list", "model Lin".
std::string type_name(const Value& v);

// How `print` shows a value: tensors NumPy-style with their type, rank-0
// tensors and floats as %g numbers, strings raw.
std::string display(const Value& v);

}  // namespace nnc
