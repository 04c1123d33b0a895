#pragma once
// Expected failures (bad scan, printer offline, invalid payload, bad config) are values
// with a reason; exceptions are kept for broken preconditions and fatal start-up errors.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace packd {

/// What kind of failure an Error is, for callers that act differently on one kind; the message is for
/// people and is never parsed.
enum class ErrorCode : std::uint8_t {
    failed,       ///< nothing more specific to say
    invalid,      ///< the input is malformed or breaks a rule; the message names the field and the rule
    not_found,    ///< what was asked for is not there: an order, a job, a barcode in an image
    refused,      ///< well-formed, but the current state does not allow it
    unavailable,  ///< a device, the broker or a helper process cannot be reached now; later may work
    timed_out,    ///< no answer within the time allowed
    storage,      ///< the store could not read or write
};

/// The code's name as it appears at the edges (JSON answers, the image decoder's replies).
std::string_view error_code_name(ErrorCode code);
/// The code named `name`, if it is one.
std::optional<ErrorCode> error_code_named(std::string_view name);

/// Why something that may fail did fail, in words an operator or admin can act on.
struct Error {
    std::string message;
    ErrorCode code = ErrorCode::failed;
};

inline Error fail(std::string message, ErrorCode code = ErrorCode::failed) {
    return Error{std::move(message), code};
}

/// A value or the reason there is none.
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(state_); }

  private:
    std::variant<T, Error> state_;
};

/// Success with nothing to return, or the reason it failed.
template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return error_; }

  private:
    Error error_;
    bool failed_ = false;
};

using Status = Result<void>;

}  // namespace packd
