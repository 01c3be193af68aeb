// The SIGINT flag and its handler (async-signal-safe: an atomic and write).
#include "support/interrupt.h"

#include <signal.h>
#include <unistd.h>

namespace nnc {

namespace {

std::atomic<bool> g_pending{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_sigint(int) {
    if (g_pending.exchange(true)) {
        static const char message[] = "\nnnc: interrupted twice; exiting\n";
        [[maybe_unused]] ssize_t n = write(STDERR_FILENO, message, sizeof message - 1);
        _exit(130);
    }
}

}  // namespace

void install_interrupt_handler() {
    static const bool installed = [] {
        struct sigaction action {};
        action.sa_handler = on_sigint;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        return sigaction(SIGINT, &action, nullptr) == 0;
    }();
    (void)installed;
}

bool interrupt_pending() { return g_pending.load(std::memory_order_relaxed); }

bool take_interrupt() { return g_pending.exchange(false); }

}  // namespace nnc
