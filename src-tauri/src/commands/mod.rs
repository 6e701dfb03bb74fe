//! The Tauri commands: argument shapes in, core calls on a blocking thread,
//! `ui/src/api/types.ts` shapes out. Every failure is an [`ApiError`].
//! One file per thing the commands are about.

pub mod document;
pub mod history;
pub mod models;
pub mod settings;
pub mod task;
pub mod window;

use crate::error::ApiError;

/// Runs blocking core work off the async runtime's threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}
