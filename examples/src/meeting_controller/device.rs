//! A user's device: a task that, until the deadline, asks the user's rate
//! limiter for a token, gets its identity token checked by the JWKS cache,
//! then joins a meeting, or, once in one, chats or leaves. Hundreds run at once; several per user, so
//! each limiter and each meeting is asked from many tasks concurrently.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::idp::{IdentityProvider, UserId};
use super::jwks::JwksCacheHandle;
use super::meeting::{JoinError, MeetingHandle};
use super::rate_limiter::RateLimiterHandle;

/// What one device did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct DeviceCount {
    pub requests: u64,
    pub limited: u64,
    pub forged: u64,
    pub rejected: u64,
    pub joined: u64,
    pub refused_full: u64,
    pub left: u64,
    pub messages: u64,
}

impl DeviceCount {
    pub(crate) fn add(&mut self, other: &DeviceCount) {
        self.requests += other.requests;
        self.limited += other.limited;
        self.forged += other.forged;
        self.rejected += other.rejected;
        self.joined += other.joined;
        self.refused_full += other.refused_full;
        self.left += other.left;
        self.messages += other.messages;
    }
}

/// One device of one user, and what it talks to.
pub(crate) struct Device {
    pub user: UserId,
    pub limiter: RateLimiterHandle,
    pub jwks: JwksCacheHandle,
    pub meetings: Arc<[MeetingHandle]>,
    /// Cumulative popularity of the meetings, for picking one.
    pub popularity: Arc<[f64]>,
    pub idp: IdentityProvider,
    pub deadline: Instant,
    /// The fraction of requests that carry a forged token.
    pub forge_rate: f64,
    /// The most a device waits between requests.
    pub think: Duration,
    /// The chance that a request of a device in a meeting is to leave it
    /// (otherwise it posts a chat message).
    pub leave_rate: f64,
    pub seed: u64,
}

impl Device {
    /// Runs until the deadline or until the actors are gone.
    pub(crate) async fn run(self) -> DeviceCount {
        let mut rng = fastrand::Rng::with_seed(self.seed);
        let mut count = DeviceCount::default();
        // The meeting this device is in (as far as it knows: another
        // device of the same user may have left it).
        let mut in_meeting: Option<usize> = None;
        loop {
            tokio::time::sleep(self.think.mul_f64(rng.f64())).await;
            let now = Instant::now();
            if now >= self.deadline {
                break;
            }
            count.requests += 1;
            match self.limiter.acquire().await {
                Ok(Ok(())) => {}
                Ok(Err(retry_after)) => {
                    count.limited += 1;
                    tokio::time::sleep(retry_after.min(self.deadline - now)).await;
                    continue;
                }
                Err(_) => break,
            }
            let forged = rng.f64() < self.forge_rate;
            let token = if forged {
                count.forged += 1;
                self.idp.forge(self.user)
            } else {
                self.idp.issue(self.user)
            };
            let claims = match self.jwks.verify(token).await {
                Ok(Ok(claims)) => claims,
                Ok(Err(_)) => {
                    count.rejected += 1;
                    continue;
                }
                Err(_) => break,
            };
            let Some(m) = in_meeting else {
                let m = self.pick(&mut rng);
                match self.meetings[m].join(claims).await {
                    Ok(Ok(_)) => {
                        count.joined += 1;
                        in_meeting = Some(m);
                    }
                    Ok(Err(JoinError::AlreadyIn)) => in_meeting = Some(m),
                    Ok(Err(JoinError::Full(_))) => count.refused_full += 1,
                    Err(_) => break,
                }
                continue;
            };
            if rng.f64() < self.leave_rate {
                in_meeting = None;
                match self.meetings[m].leave(claims).await {
                    Ok(true) => count.left += 1,
                    Ok(false) => {}
                    Err(_) => break,
                }
            } else {
                match self.meetings[m].say(claims).await {
                    Ok(true) => count.messages += 1,
                    // Another device of the user left the meeting.
                    Ok(false) => in_meeting = None,
                    Err(_) => break,
                }
            }
        }
        count
    }

    /// A meeting, the popular ones more often.
    fn pick(&self, rng: &mut fastrand::Rng) -> usize {
        let total = self.popularity.last().copied().unwrap_or(1.0);
        let roll = rng.f64() * total;
        self.popularity
            .iter()
            .position(|&c| roll < c)
            .unwrap_or(self.meetings.len() - 1)
    }
}
