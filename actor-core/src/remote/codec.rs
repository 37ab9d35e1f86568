//! The wire format. A message body is MessagePack with field names
//! (`rmp_serde::to_vec_named`): a struct travels as a map, so a field added
//! with `#[serde(default)]` is read by an old peer (which skips it) and by a
//! new one (which defaults it). A handler's arguments travel as one array,
//! in order.
//!
//! A request is a small frame around the body:
//! `[version][kind][deadline ms: u32 BE][name length][name][body]`, where the
//! name is the handler's (stable across deploys, unlike an index). A reply is
//! `[status][body]`.

use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{Rejection, RemoteError};

const VERSION: u8 = 1;
const TELL: u8 = 0;
const ASK: u8 = 1;

/// Encodes a value as MessagePack with field names.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, RemoteError> {
    rmp_serde::to_vec_named(value).map_err(|e| RemoteError::Codec(e.to_string()))
}

/// Decodes a MessagePack value.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, RemoteError> {
    rmp_serde::from_slice(bytes).map_err(|e| RemoteError::Codec(e.to_string()))
}

/// The name of the request that asks whether an actor is served (handler
/// names are identifiers, never empty): answered `Ok` by the serving loop,
/// not by the actor.
pub(crate) const ALIVE: &str = "";

/// A request frame around an encoded body.
pub(crate) fn request_frame(name: &str, ask: Option<Duration>, body: &[u8]) -> Bytes {
    let mut out = frame_head(name, body.len());
    out.put_slice(body);
    set_kind(&mut out, ask);
    out.freeze()
}

/// A request frame for `name` with `args` encoded in place (one buffer, no
/// copy of the body), as a tell: [`set_kind`] makes it an ask.
pub(crate) fn encode_request<T: Serialize + ?Sized>(
    name: &str,
    args: &T,
) -> Result<BytesMut, RemoteError> {
    let mut out = frame_head(name, 32);
    rmp_serde::encode::write_named(&mut (&mut out).writer(), args)
        .map_err(|e| RemoteError::Codec(e.to_string()))?;
    Ok(out)
}

/// The frame's head (a tell), with room for `body` more bytes.
fn frame_head(name: &str, body: usize) -> BytesMut {
    // Handler names are Rust identifiers, far shorter than 256 bytes.
    let name = &name.as_bytes()[..name.len().min(255)];
    let mut out = BytesMut::with_capacity(7 + name.len() + body);
    out.put_u8(VERSION);
    out.put_u8(TELL);
    out.put_u32(0);
    out.put_u8(name.len() as u8);
    out.put_slice(name);
    out
}

/// Makes `frame` a tell (`None`) or an ask with the asker's deadline.
pub(crate) fn set_kind(frame: &mut [u8], ask: Option<Duration>) {
    frame[1] = if ask.is_some() { ASK } else { TELL };
    let ms = ask.map_or(0, |d| u32::try_from(d.as_millis()).unwrap_or(u32::MAX));
    frame[2..6].copy_from_slice(&ms.to_be_bytes());
}

/// A request, as the receiving side reads it.
pub(crate) struct Incoming<'a> {
    pub(crate) name: &'a str,
    /// The asker's deadline, `None` for a tell.
    pub(crate) ask: Option<Duration>,
    pub(crate) body: &'a [u8],
}

pub(crate) fn parse_request(frame: &[u8]) -> Result<Incoming<'_>, RemoteError> {
    let bad = || RemoteError::Codec("malformed request frame".to_owned());
    if frame.len() < 7 || frame[0] != VERSION {
        return Err(bad());
    }
    let ask = match frame[1] {
        TELL => None,
        ASK => Some(Duration::from_millis(u64::from(u32::from_be_bytes([
            frame[2], frame[3], frame[4], frame[5],
        ])))),
        _ => return Err(bad()),
    };
    let len = usize::from(frame[6]);
    let name = frame.get(7..7 + len).ok_or_else(bad)?;
    let name = std::str::from_utf8(name).map_err(|_| bad())?;
    Ok(Incoming {
        name,
        ask,
        body: &frame[7 + len..],
    })
}

/// The status byte of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Status {
    Ok = 0,
    Full = 1,
    TooLarge = 2,
    Panicked = 3,
    Unknown = 4,
    Codec = 5,
    Stopped = 6,
    NoReply = 7,
    Timeout = 8,
}

pub(crate) fn reply_frame(status: Status, body: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(1 + body.len());
    out.put_u8(status as u8);
    out.put_slice(body);
    out.freeze()
}

/// Reads a reply: the response, or the error the receiving side answered.
pub(crate) fn parse_reply<R: DeserializeOwned>(
    frame: &[u8],
    name: &str,
    deadline: Duration,
) -> Result<R, RemoteError> {
    let Some((&status, body)) = frame.split_first() else {
        return Err(RemoteError::Codec("empty reply".to_owned()));
    };
    match status {
        0 => decode(body),
        1 => Err(RemoteError::Rejected(Rejection::Full)),
        2 => Err(RemoteError::Rejected(Rejection::TooLarge)),
        3 => Err(RemoteError::Panicked(
            String::from_utf8_lossy(body).into_owned(),
        )),
        4 => Err(RemoteError::UnknownMessage {
            message: name.to_owned(),
        }),
        5 => Err(RemoteError::Codec(
            String::from_utf8_lossy(body).into_owned(),
        )),
        6 => Err(RemoteError::Stopped),
        7 => Err(RemoteError::NoReply),
        8 => Err(RemoteError::Timeout(deadline)),
        other => Err(RemoteError::Codec(format!("unknown reply status {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_frame_reads_back() {
        let frame = request_frame("schedule", Some(Duration::from_millis(1500)), b"xyz");
        let incoming = parse_request(&frame).unwrap();
        assert_eq!(incoming.name, "schedule");
        assert_eq!(incoming.ask, Some(Duration::from_millis(1500)));
        assert_eq!(incoming.body, b"xyz");
        let tell = request_frame("go", None, b"");
        assert_eq!(parse_request(&tell).unwrap().ask, None);
        // Encoded in place, then made an ask: the same frame.
        let mut frame = encode_request("schedule", &("x", 7u8)).unwrap();
        set_kind(&mut frame, Some(Duration::from_millis(1500)));
        let body = encode(&("x", 7u8)).unwrap();
        assert_eq!(
            &frame[..],
            &request_frame("schedule", Some(Duration::from_millis(1500)), &body)[..]
        );
    }

    #[test]
    fn a_truncated_frame_is_an_error_not_a_panic() {
        let frame = request_frame("schedule", None, b"");
        for len in 0..frame.len() - 1 {
            assert!(parse_request(&frame[..len]).is_err(), "{len}");
        }
        assert!(parse_reply::<u8>(&[], "x", Duration::ZERO).is_err());
    }
}
