//! The JWKS cache: verifies tokens against the identity provider's keys,
//! which it fetches on a timer without ever making a reader wait for it.
//!
//! - A timer (`ctx.send_interval`) sends `refresh` every period. The fetch
//!   runs as a task on the system's IO runtime and sends the new key set
//!   back as an `install` message: the actor never awaits the network, so
//!   `verify` asks keep being answered from the current keys meanwhile.
//! - A token signed by a key the cache does not know yet (the provider
//!   rotated since the last fetch) is not refused: its ask is parked (the
//!   handler keeps the [`Reply`]), a fetch starts if none is in flight, and
//!   the answer goes out when the new keys are installed.
//! - At most one fetch is in flight; a tick during a fetch is skipped.

use std::fmt;
use std::time::{Duration, Instant};

use actor_core::Events;
use actor_core::prelude::*;

use super::idp::{IdentityProvider, KeySet, Token, UserId};

/// What a valid token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims {
    /// The user it was issued to.
    pub user: UserId,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The key named by the token did not sign it.
    #[error("bad signature")]
    BadSignature,
    /// The token names a key older than any the provider still serves.
    #[error("key {0} has been retired")]
    RetiredKey(u32),
    /// The token names a key the provider does not serve, even after a fetch.
    #[error("unknown key {0}")]
    UnknownKey(u32),
}

/// Announced on the event bus after each fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refreshed {
    /// The newest key id now installed.
    pub version: u32,
    /// The version before, if any.
    pub previous: Option<u32>,
    /// How long the fetch took.
    pub took: Duration,
    /// Checks answered from the old keys while it ran.
    pub served_meanwhile: u64,
    /// Checks that had waited for these keys.
    pub released: usize,
}

/// What the cache has done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct JwksStats {
    /// Fetches completed.
    pub refreshes: u64,
    /// Timer ticks skipped because a fetch was in flight.
    pub ticks_skipped: u64,
    /// Tokens checked.
    pub checks: u64,
    /// Checks answered while a fetch was in flight.
    pub served_during_refresh: u64,
    /// Checks that waited for a fetch (key not known yet).
    pub waited_for_keys: u64,
    /// Checks refused.
    pub rejected: u64,
    /// The first key version installed.
    pub first_version: u32,
    /// The newest key version installed.
    pub version: u32,
    /// The longest fetch.
    pub longest_fetch: Duration,
}

impl fmt::Display for JwksStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} refreshes, keys v{} → v{}",
            self.refreshes, self.first_version, self.version
        )
    }
}

/// See the [module docs](self).
#[actor]
pub struct JwksCache {
    idp: IdentityProvider,
    refresh_every: Duration,
    fetch_latency: Duration,
    events: Events<Refreshed>,
    keys: Option<KeySet>,
    /// When the fetch in flight started, if one is.
    fetching: Option<Instant>,
    served_this_fetch: u64,
    /// Checks waiting for a key set that knows their key.
    parked: Vec<(Token, Reply<Result<Claims, AuthError>>)>,
    stats: JwksStats,
}

impl JwksCache {
    /// A cache of `idp`'s keys, fetched every `refresh_every`; each fetch
    /// takes `fetch_latency`. Refreshes are announced on `events`.
    pub fn new(
        idp: IdentityProvider,
        refresh_every: Duration,
        fetch_latency: Duration,
        events: Events<Refreshed>,
    ) -> Self {
        JwksCache {
            idp,
            refresh_every,
            fetch_latency,
            events,
            keys: None,
            fetching: None,
            served_this_fetch: 0,
            parked: Vec::new(),
            stats: JwksStats::default(),
        }
    }

    /// Starts a fetch, unless one is in flight: a task waits out the network
    /// and tells this actor the result.
    fn fetch(&mut self, ctx: &mut Context<Self>) -> bool {
        if self.fetching.is_some() {
            return false;
        }
        self.fetching = Some(Instant::now());
        self.served_this_fetch = 0;
        let (me, idp, latency) = (ctx.handle(), self.idp.clone(), self.fetch_latency);
        ctx.system().io().spawn(async move {
            tokio::time::sleep(latency).await;
            let keys = idp.jwks();
            let _ = me.install(keys).tell().await;
        });
        true
    }

    /// Checks `token` against `keys`.
    fn check(keys: &KeySet, token: &Token) -> Result<Claims, AuthError> {
        match keys.key(token.kid) {
            Some(key) if key.verifies(token) => Ok(Claims { user: token.user }),
            Some(_) => Err(AuthError::BadSignature),
            None if token.kid < keys.oldest() => Err(AuthError::RetiredKey(token.kid)),
            None => Err(AuthError::UnknownKey(token.kid)),
        }
    }

    fn answer(
        &mut self,
        reply: Reply<Result<Claims, AuthError>>,
        verdict: Result<Claims, AuthError>,
    ) {
        if verdict.is_err() {
            self.stats.rejected += 1;
        }
        reply.send(verdict);
    }
}

#[actor]
impl JwksCache {
    #[on_start]
    fn started(&mut self, ctx: &mut Context<Self>) {
        self.fetch(ctx);
        ctx.send_interval(self.refresh_every, |me| me.refresh());
    }

    /// The timer's tick: fetch the keys again.
    #[message]
    fn refresh(&mut self, ctx: &mut Context<Self>) {
        if !self.fetch(ctx) {
            self.stats.ticks_skipped += 1;
        }
    }

    /// A fetch came back with `keys`: install them and answer the checks
    /// that waited for them.
    #[message]
    fn install(&mut self, keys: KeySet) {
        let took = self
            .fetching
            .take()
            .map(|t| t.elapsed())
            .unwrap_or_default();
        let previous = self.keys.as_ref().map(|k| k.version);
        self.stats.refreshes += 1;
        self.stats.longest_fetch = self.stats.longest_fetch.max(took);
        if previous.is_none() {
            self.stats.first_version = keys.version;
        }
        self.stats.version = keys.version;
        let parked = std::mem::take(&mut self.parked);
        let released = parked.len();
        for (token, reply) in parked {
            let verdict = Self::check(&keys, &token);
            self.answer(reply, verdict);
        }
        self.events.publish(Refreshed {
            version: keys.version,
            previous,
            took,
            served_meanwhile: self.served_this_fetch,
            released,
        });
        self.keys = Some(keys);
    }

    /// Verifies `token`: at once from the cached keys, or, if it names a
    /// key newer than those, once a fetch brings it.
    #[message(response = Result<Claims, AuthError>)]
    pub fn verify(
        &mut self,
        token: Token,
        reply: Reply<Result<Claims, AuthError>>,
        ctx: &mut Context<Self>,
    ) {
        self.stats.checks += 1;
        let verdict = match &self.keys {
            Some(keys) => Self::check(keys, &token),
            None => Err(AuthError::UnknownKey(token.kid)),
        };
        match verdict {
            Err(AuthError::UnknownKey(_)) => {
                self.stats.waited_for_keys += 1;
                self.parked.push((token, reply));
                self.fetch(ctx);
            }
            verdict => {
                if self.fetching.is_some() {
                    self.stats.served_during_refresh += 1;
                    self.served_this_fetch += 1;
                }
                self.answer(reply, verdict);
            }
        }
    }

    /// What the cache has done so far.
    #[message]
    pub fn stats(&self) -> JwksStats {
        self.stats
    }
}
