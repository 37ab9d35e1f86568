//! The identity provider: the outside world the controller trusts. It signs
//! users' tokens with a key that rotates on a schedule and serves its current
//! keys as a JWKS document, slowly, over the network (simulated).
//!
//! Not cryptography: a keyed hash stands in for RS256 signatures, so the
//! example shows the caching, not the maths.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A user of the meeting service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub usize);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "user-{}", self.0)
    }
}

/// A signed statement of who a user is (a JWT, simplified).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Who it says the bearer is.
    pub user: UserId,
    /// The id of the key that signed it (`kid`): key generations count up.
    pub kid: u32,
    signature: u64,
}

/// One signing key as the JWKS document publishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// Its id.
    pub kid: u32,
    material: u64,
}

impl Key {
    /// `true` if this key signed `token` for the user it names.
    pub fn verifies(&self, token: &Token) -> bool {
        self.kid == token.kid && sign(self.material, token.user) == token.signature
    }
}

/// The keys served at one time: the current one and its predecessor, so
/// tokens signed just before a rotation stay valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySet {
    /// The newest key's id.
    pub version: u32,
    /// Newest first.
    pub keys: Vec<Key>,
}

impl KeySet {
    /// The key with id `kid`, if the set has it.
    pub fn key(&self, kid: u32) -> Option<&Key> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// The oldest key id the set holds.
    pub fn oldest(&self) -> u32 {
        self.keys
            .iter()
            .map(|k| k.kid)
            .min()
            .unwrap_or(self.version)
    }
}

/// See the [module docs](self). Cheap to clone.
#[derive(Debug, Clone)]
pub struct IdentityProvider {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    began: Instant,
    rotate_every: Duration,
    secret: u64,
}

impl IdentityProvider {
    /// A provider whose signing key changes every `rotate_every`.
    pub fn new(rotate_every: Duration, seed: u64) -> Self {
        IdentityProvider {
            inner: Arc::new(Inner {
                began: Instant::now(),
                rotate_every: rotate_every.max(Duration::from_millis(1)),
                secret: seed,
            }),
        }
    }

    /// The id of the key signing now: 1, then 2 after one rotation, …
    pub fn current_kid(&self) -> u32 {
        self.kid_at(Instant::now())
    }

    fn kid_at(&self, at: Instant) -> u32 {
        let periods = at.saturating_duration_since(self.inner.began).as_nanos()
            / self.inner.rotate_every.as_nanos();
        1 + u32::try_from(periods).unwrap_or(u32::MAX - 1)
    }

    /// A token for `user`, signed with the current key.
    pub fn issue(&self, user: UserId) -> Token {
        let kid = self.current_kid();
        Token {
            user,
            kid,
            signature: sign(self.material(kid), user),
        }
    }

    /// A token for `user` that names the current key but was not signed
    /// with it: what an attacker who edited the user id would present.
    pub fn forge(&self, user: UserId) -> Token {
        let mut token = self.issue(UserId(user.0 + 1));
        token.user = user;
        token
    }

    /// The JWKS document: the current key and the previous one. The caller
    /// pays the network latency (the cache actor does it off its mailbox).
    pub fn jwks(&self) -> KeySet {
        self.jwks_at(Instant::now())
    }

    fn jwks_at(&self, at: Instant) -> KeySet {
        let version = self.kid_at(at);
        let keys = (version.saturating_sub(1).max(1)..=version)
            .rev()
            .map(|kid| Key {
                kid,
                material: self.material(kid),
            })
            .collect();
        KeySet { version, keys }
    }

    fn material(&self, kid: u32) -> u64 {
        let mut h = DefaultHasher::new();
        (self.inner.secret, kid).hash(&mut h);
        h.finish()
    }
}

fn sign(material: u64, user: UserId) -> u64 {
    let mut h = DefaultHasher::new();
    (material, user).hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_key_and_a_forged_one_does_not() {
        let idp = IdentityProvider::new(Duration::from_secs(60), 1);
        let set = idp.jwks();
        let token = idp.issue(UserId(7));
        let key = set.key(token.kid).unwrap();
        assert!(key.verifies(&token));
        assert!(!key.verifies(&idp.forge(UserId(7))));
    }

    #[test]
    fn the_key_set_holds_the_current_key_and_its_predecessor() {
        let idp = IdentityProvider::new(Duration::from_millis(10), 1);
        assert_eq!(
            idp.jwks_at(idp.inner.began).keys.len(),
            1,
            "no predecessor yet"
        );
        let set = idp.jwks_at(idp.inner.began + Duration::from_millis(45));
        assert_eq!(set.version, 5);
        assert_eq!(
            set.keys.iter().map(|k| k.kid).collect::<Vec<_>>(),
            [set.version, set.version - 1]
        );
        assert_eq!(set.oldest(), set.version - 1);
    }
}
