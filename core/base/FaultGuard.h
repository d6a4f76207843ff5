// FaultGuard: reading memory-mapped files without dying when they shrink. A file truncated while
// it is mapped (a renderer rewriting an output in place, a copy being replaced) raises SIGBUS on
// reads past its new end. Inside read_mapped() that fault ends the read and makes read_mapped
// return false, for the faulting thread alone; outside it, SIGBUS behaves as it always did.
//
// Constraint: the fault leaves `body` by siglongjmp, so `body` must not own objects with
// non-trivial destructors (copy loops over plain memory; no strings, vectors or locks).
#pragma once

#include <utility>

namespace tessera::core {

bool read_mapped(void (*body)(void*), void* context);

template <typename Body>
bool read_mapped(Body&& body) {
    return read_mapped(
        [](void* context) { (*static_cast<std::remove_reference_t<Body>*>(context))(); }, &body);
}

}  // namespace tessera::core
