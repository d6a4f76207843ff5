#include "core/base/FaultGuard.h"

#include <csetjmp>
#include <csignal>
#include <mutex>

namespace tessera::core {
namespace {

thread_local sigjmp_buf* t_jump = nullptr;
struct sigaction g_previous {};

void on_sigbus(int signal, siginfo_t* info, void* context) {
    if (t_jump != nullptr) {
        siglongjmp(*t_jump, 1);
    }
    // Not a guarded read: hand the fault to whoever handled it before (a sanitizer, a crash
    // reporter), or let it kill the process as it would have.
    if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
        g_previous.sa_sigaction(signal, info, context);
        return;
    }
    if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
        g_previous.sa_handler(signal);
        return;
    }
    ::signal(SIGBUS, SIG_DFL);  // the faulting read runs again and ends the process
}

void install_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_sigaction = on_sigbus;
        action.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGBUS, &action, &g_previous);
    });
}

}  // namespace

bool read_mapped(void (*body)(void*), void* context) {
    install_handler();
    sigjmp_buf jump;
    sigjmp_buf* const outer = t_jump;
    if (sigsetjmp(jump, 1) != 0) {
        t_jump = outer;
        return false;
    }
    t_jump = &jump;
    body(context);
    t_jump = outer;
    return true;
}

}  // namespace tessera::core
