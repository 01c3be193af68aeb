// Progress reporting for long loops:
//   progress(items, desc = "", every = 0, terminal = none)
// returns an iterator over `items` (a list, tuple or range) that a `for`
// loop runs through unchanged while it reports how far it has come:
//
//   let bar = progress(train.batches(128), desc = "epoch 1")
//   for (x, y) in bar { bar.set(loss = train_step(m, o, x, y)) }
//
// On a terminal, one line is redrawn in place (at most ten times a second):
//   epoch 1  37/469 [==>                      ] 120.3 it/s ETA 0:03 loss 0.4123
// Elsewhere (a pipe, a log file) nothing is drawn; a plain line is printed
// when the loop ends (also by `break`), and after every `every` steps when
// `every` is positive:
//   epoch 1: 469/469 in 3.2 s (146.5 it/s), loss 0.4123
// `bar.set(loss = l)` records the loss shown (the last one set). `terminal`
// overrides the detection. Checking runs the loop body once and prints nothing.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "interp/builtins/builtins.h"
#include "interp/interpreter.h"
#include "interp/objects.h"

namespace nnc {

namespace {

using Clock = std::chrono::steady_clock;

// Whether `print` output reaches a terminal: the one place that decides.
bool prints_to_terminal(Interpreter& in) { return &in.out() == &std::cout && ::isatty(STDOUT_FILENO); }

std::string format(const char* spec, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, v);
    return buf;
}

// Steps per second, with two decimals when below 10 ("0.92", "146.5").
std::string rate_text(double rate) { return format(rate < 10 ? "%.2f" : "%.1f", rate); }

// "0:03", "12:45", "1:02:03".
std::string clock_time(double seconds) {
    long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

// What is reported, shared by the iterator and its `set` method.
struct ProgressState {
    std::ostream* out;
    std::string desc;
    int64_t total;
    int64_t every;
    bool terminal;
    int64_t done = 0;   // steps completed
    std::optional<double> loss;
    Clock::time_point start, last_draw;
    bool started = false, drawn = false, finished = false;

    double elapsed(Clock::time_point now) const { return std::chrono::duration<double>(now - start).count(); }
    double rate(Clock::time_point now) const {
        double e = elapsed(now);
        return e > 0 ? double(done) / e : 0.0;
    }

    // The terminal line: "desc  37/469 [==>   ] 120.3 it/s ETA 0:03 loss 0.4123".
    void draw(Clock::time_point now) {
        constexpr int64_t kWidth = 25;
        const int64_t filled = total > 0 ? done * kWidth / total : kWidth;
        std::string bar(size_t(filled), '=');
        if (filled > 0 && filled < kWidth) bar.back() = '>';
        bar.resize(kWidth, ' ');
        std::string line = (desc.empty() ? "" : desc + "  ") + std::to_string(done) + "/" + std::to_string(total) + " [" + bar + "]";
        if (done > 0 && rate(now) > 0) {
            line += " " + rate_text(rate(now)) + " it/s";
            line += finished ? " in " + clock_time(elapsed(now)) : " ETA " + clock_time(double(total - done) / rate(now));
        }
        if (loss) line += " loss " + format("%.4g", *loss);
        *out << "\r" << line << "\x1b[K" << (finished ? "\n" : "") << std::flush;
        drawn = true;
        last_draw = now;
    }

    // The plain line: "desc: 469/469 in 3.2 s (146.5 it/s), loss 0.4123".
    void log(Clock::time_point now) {
        std::string line = (desc.empty() ? "" : desc + ": ") + std::to_string(done) + "/" + std::to_string(total) + " in " +
                           format("%.1f", elapsed(now)) + " s (" + rate_text(rate(now)) + " it/s)";
        if (loss) line += ", loss " + format("%.4g", *loss);
        *out << line << "\n" << std::flush;
    }

    // `done` has changed.
    void advance() {
        Clock::time_point now = Clock::now();
        if (terminal && (!drawn || now - last_draw >= std::chrono::milliseconds(100))) draw(now);
        if (!terminal && every > 0 && done > 0 && done < total && done % every == 0) log(now);
    }

    void finish() {
        if (finished || !started) return;
        finished = true;
        Clock::time_point now = Clock::now();
        if (terminal) draw(now);
        else log(now);
    }
};

class ProgressObject : public IteratorObject {
public:
    ProgressObject(std::shared_ptr<ProgressState> state, Value items) : state_(std::move(state)), items_(std::move(items)) {
        if (const std::vector<Value>* e = sequence_elements(items_)) elements_ = *e;   // the body may modify the list
    }

    std::optional<Value> next(Interpreter& in) override {
        if (in.mode() != Interpreter::Mode::Eager) {   // checking: one representative element
            if (next_ > 0 || state_->total == 0) return std::nullopt;
            ++next_;
            return elements_.empty() ? Value(UnknownValue{}) : elements_[0];
        }
        ProgressState& s = *state_;
        if (s.finished) return std::nullopt;
        if (!s.started) {
            s.started = true;
            s.start = Clock::now();
        }
        s.done = next_;
        if (next_ >= s.total) {
            s.finish();
            return std::nullopt;
        }
        s.advance();
        return element(next_++);
    }

    // A loop left early reports the steps it began.
    void close(Interpreter&) override {
        state_->done = next_;
        state_->finish();
    }

    std::optional<Value> member(const std::string& name) override {
        if (name != "set") return std::nullopt;
        std::shared_ptr<ProgressState> state = state_;
        auto set = [state](BuiltinArgs& a) -> Value {
            state->loss = a.number("loss");
            return Value();
        };
        return make_object<BuiltinObject>("set", "loss", set, Effect::Prints);
    }

private:
    Value element(int64_t i) const {
        if (items_.is<RangeValue>()) return Value(items_.as<RangeValue>().at(static_cast<uint64_t>(i)));
        return elements_[size_t(i)];
    }

    std::shared_ptr<ProgressState> state_;
    Value items_;
    std::vector<Value> elements_;
    int64_t next_ = 0;
};

// Checking runs it too (printing nothing): the loop body is checked with one representative element.
Value progress_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const Value& items = a.value("items");
    auto state = std::make_shared<ProgressState>();
    state->out = &in.out();
    try {
        state->desc = a.str("desc");
        state->every = a.integer("every");
        if (state->every < 0) a.fail("every", "expected a number of steps (0 for none), got " + std::to_string(state->every));
        state->terminal = a.is_none("terminal") ? prints_to_terminal(in) : a.boolean("terminal");
    } catch (const UnknownArgument&) {
        if (in.mode() == Interpreter::Mode::Eager) throw;   // checking prints nothing: the options do not matter
    }
    if (const std::vector<Value>* e = sequence_elements(items)) state->total = int64_t(e->size());
    else if (items.is<RangeValue>()) {
        const uint64_t n = items.as<RangeValue>().length();
        if (n > static_cast<uint64_t>(INT64_MAX)) a.fail("items", "the range has " + std::to_string(n) + " elements, too many to count");
        state->total = static_cast<int64_t>(n);
    }
    else if (items.is_unknown() && in.mode() != Interpreter::Mode::Eager) state->total = 1;
    else a.fail("items", "expected a list, tuple or range to loop over, got " + type_name(items));
    return make_object<ProgressObject>(std::move(state), items);
}

const BuiltinSpec kProgressBuiltins[] = {
    {"progress", "items, desc = \"\", every = 0, terminal = none", progress_builtin, Effect::Prints, progress_builtin},
};

}  // namespace

std::span<const BuiltinSpec> progress_builtins() { return kProgressBuiltins; }

}  // namespace nnc
