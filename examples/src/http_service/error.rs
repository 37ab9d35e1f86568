//! [`ApiError`]: every way a request can fail, and its HTTP status.

use std::time::Duration;

use actor_core::AskError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::counter::CounterError;
use super::store::StoreError;

/// Why a request failed. [`ApiError::status`] says how it reaches the client.
///
/// | error                                   | status                            |
/// |-----------------------------------------|-----------------------------------|
/// | [`ApiError::BadRequest`]                | 400 Bad Request                   |
/// | [`CounterError::StepOutOfRange`]        | 422 Unprocessable Entity          |
/// | [`CounterError::Overflow`]              | 409 Conflict                      |
/// | [`StoreError::NotFound`]                | 404 Not Found                     |
/// | [`StoreError::KeyTooLong`]              | 400 Bad Request                   |
/// | [`StoreError::ValueTooLarge`]           | 413 Payload Too Large             |
/// | [`StoreError::Full`]                    | 507 Insufficient Storage          |
/// | [`ApiError::Busy`] (queue at its limit) | 503 Service Unavailable, Retry-After: 1 |
/// | [`ApiError::Dropped`] (actor restarted) | 503 Service Unavailable, Retry-After: 1 |
/// | [`ApiError::Stopped`] (for good)        | 503 Service Unavailable           |
/// | [`ApiError::Timeout`]                   | 504 Gateway Timeout               |
/// | [`ApiError::Failed`] (handler panicked) | 500 Internal Server Error         |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request itself is malformed (a query parameter that is not a number).
    #[error("{0}")]
    BadRequest(String),
    /// The counter refused the request.
    #[error(transparent)]
    Counter(#[from] CounterError),
    /// The store refused the request.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The actor's mailbox holds as many requests as the service lets queue:
    /// the request was not sent (load shedding), retry later.
    #[error("the {actor} actor is busy ({queued} requests queued); retry later")]
    Busy {
        /// The actor's type.
        actor: &'static str,
        /// The requests waiting in its mailbox.
        queued: usize,
    },
    /// The actor did not answer in time; it may still handle the request.
    #[error("the {actor} actor did not answer within {after:?}")]
    Timeout {
        /// The actor's type.
        actor: &'static str,
        /// The deadline.
        after: Duration,
    },
    /// The actor stopped or restarted before answering; a retry reaches the
    /// restarted actor.
    #[error("the {actor} actor stopped or restarted before answering; retry")]
    Dropped {
        /// The actor's type.
        actor: &'static str,
    },
    /// The actor has stopped for good (its supervisor gave up on it).
    #[error("the {actor} actor is stopped")]
    Stopped {
        /// The actor's type.
        actor: &'static str,
    },
    /// The actor failed (panicked) while handling this request.
    #[error("the {actor} actor failed while handling the request")]
    Failed {
        /// The actor's type.
        actor: &'static str,
    },
}

impl ApiError {
    /// The error of an ask to `actor` that failed.
    pub fn ask(actor: &'static str, error: AskError) -> Self {
        match error {
            AskError::Timeout(after) => ApiError::Timeout { actor, after },
            AskError::Stopped => ApiError::Stopped { actor },
            AskError::NoReply => ApiError::Dropped { actor },
            // Panicked, and whatever later versions add.
            _ => ApiError::Failed { actor },
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Counter(CounterError::StepOutOfRange { .. }) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Counter(CounterError::Overflow { .. }) => StatusCode::CONFLICT,
            ApiError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            ApiError::Store(StoreError::KeyTooLong { .. }) => StatusCode::BAD_REQUEST,
            ApiError::Store(StoreError::ValueTooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Store(StoreError::Full { .. }) => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::Busy { .. } | ApiError::Dropped { .. } | ApiError::Stopped { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Failed { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether a client should retry soon: the condition is passing.
    fn retry_soon(&self) -> bool {
        matches!(self, ApiError::Busy { .. } | ApiError::Dropped { .. })
    }
}

/// The status, `Retry-After: 1` when retrying soon makes sense, and the
/// error's message as a line of plain text.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), format!("{self}\n")).into_response();
        if self.retry_soon() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actor_core::PanicError;

    #[test]
    fn every_ask_error_has_a_status() {
        let status = |e| ApiError::ask("Store", e).status().as_u16();
        assert_eq!(status(AskError::Timeout(Duration::from_secs(1))), 504);
        assert_eq!(status(AskError::Stopped), 503);
        assert_eq!(status(AskError::NoReply), 503);
        let panicked = AskError::Panicked(PanicError::new("get", "boom"));
        assert_eq!(status(panicked), 500);
    }

    #[test]
    fn a_busy_actor_answers_503_with_retry_after_and_a_stopped_one_without() {
        let busy = ApiError::Busy {
            actor: "Store",
            queued: 64,
        };
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        let response = busy.into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        let stopped = ApiError::Stopped { actor: "Store" }.into_response();
        assert_eq!(stopped.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(stopped.headers().get(header::RETRY_AFTER).is_none());
    }
}
