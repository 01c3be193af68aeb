// Ctrl-C for running programs. The SIGINT handler only sets a flag; the
// evaluator polls it at every statement and loop iteration and stops there
// (Interpreter throws Interrupted), so the REPL keeps its session and
// `nnc run` says where it stopped. A second Ctrl-C that arrives before the
// first was noticed (a long kernel, a blocking read) ends the process with
// status 130 at once.
#pragma once

#include <atomic>

namespace nnc {

// Installs the handler (once; later calls do nothing).
void install_interrupt_handler();

// Whether a Ctrl-C arrived and was not yet taken.
bool interrupt_pending();

// Takes a pending Ctrl-C: true if there was one, which is then cleared.
bool take_interrupt();

}  // namespace nnc
