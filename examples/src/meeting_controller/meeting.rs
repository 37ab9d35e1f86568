//! A meeting: one actor owns one meeting's state, so joins and leaves from
//! any number of tasks are applied one at a time and the capacity check
//! cannot race.

use std::collections::BTreeSet;
use std::sync::Arc;

use actor_core::prelude::*;

use super::idp::UserId;
use super::jwks::Claims;

/// Why a join was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// Every seat is taken.
    #[error("the meeting is full ({0} participants)")]
    Full(usize),
    /// The user is already in (joined from another device).
    #[error("already in the meeting")]
    AlreadyIn,
}

/// One meeting's numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MeetingStats {
    /// `standup`, `all-hands`, …
    pub name: Arc<str>,
    /// Seats.
    pub capacity: usize,
    /// Participants now.
    pub participants: usize,
    /// The most participants at any time.
    pub peak: usize,
    /// Joins admitted.
    pub joined: u64,
    /// Joins refused because the meeting was full.
    pub refused_full: u64,
    /// Joins of users already in.
    pub already_in: u64,
    /// Leaves of users who were in.
    pub left: u64,
    /// Chat messages from participants.
    pub messages: u64,
}

/// See the [module docs](self).
#[actor]
pub struct Meeting {
    participants: BTreeSet<UserId>,
    stats: MeetingStats,
}

impl Meeting {
    /// An empty meeting with `capacity` seats.
    pub fn new(name: impl Into<Arc<str>>, capacity: usize) -> Self {
        Meeting {
            participants: BTreeSet::new(),
            stats: MeetingStats {
                name: name.into(),
                capacity,
                participants: 0,
                peak: 0,
                joined: 0,
                refused_full: 0,
                already_in: 0,
                left: 0,
                messages: 0,
            },
        }
    }
}

#[actor]
impl Meeting {
    /// Admits the verified user if a seat is free; returns the participants now.
    #[message]
    pub fn join(&mut self, who: Claims) -> Result<usize, JoinError> {
        let s = &mut self.stats;
        if self.participants.contains(&who.user) {
            s.already_in += 1;
            return Err(JoinError::AlreadyIn);
        }
        if self.participants.len() >= s.capacity {
            s.refused_full += 1;
            return Err(JoinError::Full(s.capacity));
        }
        self.participants.insert(who.user);
        s.joined += 1;
        s.participants = self.participants.len();
        s.peak = s.peak.max(s.participants);
        Ok(s.participants)
    }

    /// Lets the user go; `false` if they were not in.
    #[message]
    pub fn leave(&mut self, who: Claims) -> bool {
        let was_in = self.participants.remove(&who.user);
        if was_in {
            self.stats.left += 1;
            self.stats.participants = self.participants.len();
        }
        was_in
    }

    /// Posts a chat message from the user; `false` if they are not in the meeting.
    #[message]
    pub fn say(&mut self, who: Claims) -> bool {
        let is_in = self.participants.contains(&who.user);
        if is_in {
            self.stats.messages += 1;
        }
        is_in
    }

    /// The meeting's numbers.
    #[message]
    pub fn stats(&self) -> MeetingStats {
        self.stats.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(user: usize) -> Claims {
        Claims { user: UserId(user) }
    }

    #[test]
    fn a_full_meeting_refuses_until_someone_leaves() {
        let mut m = Meeting::new("standup", 2);
        assert_eq!(m.join(claims(1)), Ok(1));
        assert_eq!(m.join(claims(1)), Err(JoinError::AlreadyIn));
        assert_eq!(m.join(claims(2)), Ok(2));
        assert_eq!(m.join(claims(3)), Err(JoinError::Full(2)));
        assert!(m.say(claims(1)));
        assert!(m.leave(claims(1)));
        assert!(!m.leave(claims(1)));
        assert!(!m.say(claims(1)), "only participants speak");
        assert_eq!(m.join(claims(3)), Ok(2));
        let s = m.stats();
        assert_eq!(
            (s.joined, s.refused_full, s.already_in, s.left),
            (3, 1, 1, 1)
        );
        assert_eq!(s.messages, 1);
        assert_eq!((s.participants, s.peak), (2, 2));
    }
}
