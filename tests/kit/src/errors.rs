//! Errors as French sentences: the demo prints the kit's errors to the person running
//! it, so a failure says what went wrong in their words, with the technical cause in
//! parentheses.

use anyhow::anyhow;
use cvconnect_core::client::ClientError;
use cvconnect_sandbox_client::ClientError as SandboxError;

/// A core error as a French sentence, with the technical cause in parentheses.
pub fn core_error(context: &str, error: &ClientError) -> anyhow::Error {
    anyhow!("{context} : {} ({error})", error.user_message())
}

/// A sandbox client error: the protocol's French message when there is one.
pub fn sandbox_message(error: &SandboxError) -> String {
    match error.info() {
        Some(info) => format!("{} ({})", info.message, info.code),
        None if error.is_transport() => format!("sandbox injoignable ({error})"),
        None => error.to_string(),
    }
}

/// Maps a sandbox error to `context : message`, for `map_err`.
pub(crate) fn sandbox_failed(
    context: impl Into<String>,
) -> impl FnOnce(SandboxError) -> anyhow::Error {
    let context = context.into();
    move |error| anyhow!("{context} : {}", sandbox_message(&error))
}

/// Maps a core error to [`core_error`], for `map_err`.
pub(crate) fn core_failed(context: &'static str) -> impl FnOnce(ClientError) -> anyhow::Error {
    move |error| core_error(context, &error)
}
