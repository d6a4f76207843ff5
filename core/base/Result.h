// Result<T>: a value or an Error carrying a message a user can act on (which file, what was
// expected, what was found). Runtime failures travel as Results; programmer mistakes are asserts.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tessera::core {

struct Error {
    std::string message;
};

template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok() && "Result::value() on an error");
        return std::get<0>(m_state);
    }
    const T& value() const& {
        assert(ok() && "Result::value() on an error");
        return std::get<0>(m_state);
    }
    T&& value() && {
        assert(ok() && "Result::value() on an error");
        return std::get<0>(std::move(m_state));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const {
        assert(!ok() && "Result::error() on a value");
        return std::get<1>(m_state);
    }

  private:
    std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error& error() const {
        assert(m_failed && "Result::error() on success");
        return m_error;
    }

  private:
    Error m_error;
    bool m_failed = false;
};

}  // namespace tessera::core
