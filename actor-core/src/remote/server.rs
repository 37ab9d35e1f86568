//! The receiving side: a subscription per exposed actor (a queue
//! subscription per pool member), read by one task that decodes each
//! message and hands it to the local handle with `try_send`, so the
//! connection never waits for an actor: a full mailbox answers
//! [`Rejection::Full`](super::Rejection::Full). Replies to asks are awaited
//! beside the reading, in the same task, so messages from one sender reach
//! the actor in the order they were sent.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::cluster::Inner;
use super::codec::{self, Incoming, Status};
use crate::actor::Actor;
use crate::error::{AskError, TrySendError};
use crate::reply::Reply;
use crate::request::Request;

/// An exposed actor's type: implemented by `#[actor(remote = "..")]` for the
/// actor, it turns a received message into a call of the local handle.
pub trait RemoteActor: Actor {
    /// The generated remote handle (`SchedulerRemote`).
    type Remote: super::RemoteHandle;

    /// Sends one received message to `handle`: generated, one arm per
    /// message that travels.
    #[doc(hidden)]
    fn dispatch(handle: &Self::Handle, call: Call<'_>) -> Served;
}

/// A received message, as [`RemoteActor::dispatch`] gets it.
#[doc(hidden)]
pub struct Call<'a> {
    pub(crate) incoming: Incoming<'a>,
}

impl Call<'_> {
    /// The handler's name.
    pub fn name(&self) -> &str {
        self.incoming.name
    }

    /// The arguments, as a tuple; an error answer if they do not decode.
    pub fn args<T: DeserializeOwned>(&self) -> Result<T, Served> {
        codec::decode(self.incoming.body).map_err(|e| {
            Served(Outcome::Answer(
                Status::Codec,
                Bytes::from(format!("arguments of `{}`: {e}", self.incoming.name)),
            ))
        })
    }

    /// The answer to a message this actor does not have.
    pub fn unknown(&self) -> Served {
        Served(Outcome::Answer(Status::Unknown, Bytes::new()))
    }

    /// Sends `request` to the local actor: a tell, or an ask whose reply is
    /// encoded when it comes.
    pub fn serve<A, R, F>(self, request: Request<'static, A, R, F>) -> Served
    where
        A: Actor,
        R: Serialize + Send + 'static,
        F: FnOnce(Reply<R>) -> A::Message + Send + 'static,
    {
        let Some(deadline) = self.incoming.ask else {
            return match request.try_tell() {
                Ok(()) => Served(Outcome::Told),
                Err(e) => Served(Outcome::Answer(refused(e), Bytes::new())),
            };
        };
        match request.try_ask() {
            Ok(ask) => Served(Outcome::Asked(Box::pin(async move {
                match tokio::time::timeout(deadline, ask).await {
                    Ok(Ok(response)) => match codec::encode(&response) {
                        Ok(body) => codec::reply_frame(Status::Ok, &body),
                        Err(e) => codec::reply_frame(Status::Codec, e.to_string().as_bytes()),
                    },
                    Ok(Err(AskError::Panicked(panic))) => {
                        codec::reply_frame(Status::Panicked, panic.to_string().as_bytes())
                    }
                    Ok(Err(e)) => codec::reply_frame(ask_status(e), &[]),
                    Err(_) => codec::reply_frame(Status::Timeout, &[]),
                }
            }))),
            Err(e) => Served(Outcome::Answer(refused(e), Bytes::new())),
        }
    }
}

fn refused(e: TrySendError) -> Status {
    match e {
        TrySendError::Full => Status::Full,
        _ => Status::Stopped,
    }
}

fn ask_status(e: AskError) -> Status {
    match e {
        AskError::Panicked(_) => Status::Panicked,
        AskError::Stopped => Status::Stopped,
        AskError::Timeout(_) => Status::Timeout,
        _ => Status::NoReply,
    }
}

/// What became of a received message.
#[doc(hidden)]
pub struct Served(Outcome);

enum Outcome {
    /// A tell, queued.
    Told,
    /// An ask, queued: its reply frame when it comes.
    Asked(Pin<Box<dyn Future<Output = Bytes> + Send>>),
    /// Answered at once (refused, unknown, undecodable).
    Answer(Status, Bytes),
}

/// Reads `subscriber` until the actor stops or the cluster closes, handing
/// each message to `dispatch`; answers the asks already taken, and gives the
/// subscriber back, still subscribed.
pub(crate) async fn serve_loop(
    inner: Arc<Inner>,
    mut subscriber: async_nats::Subscriber,
    dispatch: impl Fn(Call<'_>) -> Served + Send + 'static,
    stopped: impl Future<Output = ()> + Send,
    name: String,
) -> async_nats::Subscriber {
    let client = inner.client.clone();
    let mut replies: FuturesUnordered<Pin<Box<dyn Future<Output = ()> + Send>>> =
        FuturesUnordered::new();
    let stats = &inner.link.stats;
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            biased;
            Some(()) = replies.next(), if !replies.is_empty() => {}
            message = subscriber.next() => {
                let Some(message) = message else { break };
                stats.received.fetch_add(1, Ordering::Relaxed);
                let (answer, reply_to) = match codec::parse_request(&message.payload) {
                    Ok(incoming) if incoming.name == codec::ALIVE => {
                        (codec::reply_frame(Status::Ok, &[]), message.reply)
                    }
                    Ok(incoming) => {
                        let ask = incoming.ask.is_some();
                        let what = incoming.name.to_owned();
                        match dispatch(Call { incoming }) {
                            Served(Outcome::Told) => continue,
                            Served(Outcome::Asked(reply)) => {
                                if let Some(to) = message.reply {
                                    let client = client.clone();
                                    replies.push(Box::pin(async move {
                                        let frame = reply.await;
                                        publish_reply(&client, to, frame).await;
                                    }));
                                }
                                continue;
                            }
                            Served(Outcome::Answer(status, body)) => {
                                if status == Status::Full || status == Status::Stopped {
                                    stats.rejected.fetch_add(1, Ordering::Relaxed);
                                }
                                if !ask {
                                    stats.tells_lost.fetch_add(1, Ordering::Relaxed);
                                    tracing::warn!(actor = name, message = what, ?status, "a remote tell was not delivered");
                                }
                                (codec::reply_frame(status, &body), message.reply)
                            }
                        }
                    }
                    Err(e) => (
                        codec::reply_frame(Status::Codec, e.to_string().as_bytes()),
                        message.reply,
                    ),
                };
                if let Some(to) = reply_to {
                    publish_reply(&client, to, answer).await;
                }
            }
            () = &mut stopped => break,
        }
        if inner.is_closed() {
            break;
        }
    }
    // Answer the asks already taken before leaving.
    while replies.next().await.is_some() {}
    subscriber
}

async fn publish_reply(client: &async_nats::Client, to: async_nats::Subject, frame: Bytes) {
    if let Err(e) = client.publish(to.clone(), frame).await {
        let status = if e.kind() == async_nats::client::PublishErrorKind::MaxPayloadExceeded {
            Status::TooLarge
        } else {
            tracing::warn!(error = %e, "a remote reply could not be sent");
            return;
        };
        let _ = client.publish(to, codec::reply_frame(status, &[])).await;
    }
}
