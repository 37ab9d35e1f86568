//! The list of a system's live actors and supervisors: what lets
//! [`System::shutdown`](crate::System::shutdown) stop every actor and
//! [`System::metrics`](crate::System::metrics) see every one.
//!
//! Spawning and stopping are the hot operations, listing is rare: an actor is
//! put in a free slot of a vector (no hashing, no rehash when it grows), and
//! its cell remembers the slot, so removing it is an index. The slots are
//! split in shards by actor id, so that actors spawned or stopped on
//! different threads at the same time mostly take different locks.
//!
//! An actor that stops for good is counted in its shard, under the lock that
//! removes it (how many of its type stopped, how many messages they handled):
//! a stop takes no lock shared by the whole system, and a metrics snapshot
//! sees each actor exactly once, alive or stopped.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;

use crate::cell::{ActorCell, Live, NOT_LISTED};

/// Shards of the list (a power of two).
const SHARDS: usize = 8;

/// A live actor or supervisor, as the system keeps it.
pub(crate) struct Entry {
    pub(crate) live: Arc<dyn Live>,
    /// Stopped by the system at shutdown (not a supervised child).
    pub(crate) track: bool,
}

/// The live actors of one system. See the [module docs](self).
pub(crate) struct Actors {
    shards: Box<[Padded]>,
}

/// One shard on a cache line of its own: threads spawning at the same time
/// do not write to each other's lines.
#[repr(align(128))]
#[derive(Default)]
struct Padded(Mutex<Shard>);

#[derive(Default)]
pub(crate) struct Shard {
    slots: Vec<Slot>,
    /// The first free slot, the head of a list through `Slot::Free`.
    free: Option<u32>,
    len: usize,
    /// Actors of the shard that stopped for good, by type (the address of
    /// its name, as in `metrics::Registry`): the name, how many, and the
    /// messages they handled.
    retired: FxHashMap<usize, (&'static str, u64, u64)>,
}

enum Slot {
    Taken(Entry),
    /// Free; the next free slot.
    Free(Option<u32>),
}

/// The shard of an actor.
#[inline]
fn shard_of(cell: &ActorCell) -> usize {
    cell.id().as_u64() as usize % SHARDS
}

impl Actors {
    pub(crate) fn new() -> Self {
        Actors {
            shards: (0..SHARDS).map(|_| Padded::default()).collect(),
        }
    }

    fn lock(&self, shard: usize) -> MutexGuard<'_, Shard> {
        self.shards[shard]
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Every shard, locked: nothing is listed or removed until they are dropped.
    pub(crate) fn lock_all(&self) -> Vec<MutexGuard<'_, Shard>> {
        (0..SHARDS).map(|i| self.lock(i)).collect()
    }

    /// Lists `live` if `admit()`, checked under the lock that [`Actors::lock_all`]
    /// also takes; `false` if not admitted.
    pub(crate) fn insert(
        &self,
        live: Arc<dyn Live>,
        track: bool,
        admit: impl FnOnce() -> bool,
    ) -> bool {
        let cell = live.cell();
        let mut s = self.lock(shard_of(cell));
        if !admit() {
            return false;
        }
        let entry = Slot::Taken(Entry {
            live: live.clone(),
            track,
        });
        let index = match s.free {
            Some(free) => {
                let i = free as usize;
                if let Slot::Free(next) = std::mem::replace(&mut s.slots[i], entry) {
                    s.free = next;
                }
                free
            }
            None => {
                s.slots.push(entry);
                (s.slots.len() - 1) as u32
            }
        };
        s.len += 1;
        cell.slot().store(index, Ordering::Relaxed);
        true
    }

    /// Removes the actor of `cell`, if it is listed.
    pub(crate) fn remove(&self, cell: &ActorCell) {
        if cell.slot().load(Ordering::Relaxed) != NOT_LISTED {
            unlist(&mut self.lock(shard_of(cell)), cell);
        }
    }

    /// Removes the actor of `cell` (if it is listed) as it stops for good,
    /// and counts it: an actor of type `name` that handled `handled` messages.
    pub(crate) fn retire(&self, cell: &ActorCell, name: &'static str, handled: u64) {
        let mut s = self.lock(shard_of(cell));
        unlist(&mut s, cell);
        let tally = s
            .retired
            .entry(name.as_ptr() as usize)
            .or_insert((name, 0, 0));
        tally.1 += 1;
        tally.2 += handled;
    }

    /// Calls `f` with every listed actor, one shard locked at a time.
    pub(crate) fn for_each(&self, f: impl FnMut(&Entry)) {
        self.for_each_with_retired(f, |_, _, _| {});
    }

    /// Calls `live` with every listed actor, and `retired` with the counts of
    /// those that stopped for good (a type's name, how many, the messages they
    /// handled; a type may come once per shard), one shard locked at a time.
    pub(crate) fn for_each_with_retired(
        &self,
        mut live: impl FnMut(&Entry),
        mut retired: impl FnMut(&'static str, u64, u64),
    ) {
        for shard in 0..SHARDS {
            let s = self.lock(shard);
            for slot in &s.slots {
                if let Slot::Taken(entry) = slot {
                    live(entry);
                }
            }
            for &(name, stopped, handled) in s.retired.values() {
                retired(name, stopped, handled);
            }
        }
    }

    /// How many actors are listed.
    pub(crate) fn len(&self) -> usize {
        (0..SHARDS).map(|shard| self.lock(shard).len).sum()
    }
}

/// Takes `cell`'s actor out of its shard `s`, if it is listed.
fn unlist(s: &mut Shard, cell: &ActorCell) {
    let i = cell.slot().swap(NOT_LISTED, Ordering::Relaxed);
    if i == NOT_LISTED {
        return;
    }
    let i = i as usize;
    // Only this cell's entry: the slot index came from it, under this lock.
    if let Some(slot @ Slot::Taken(_)) = s.slots.get_mut(i) {
        *slot = Slot::Free(s.free);
        s.free = Some(i as u32);
        s.len -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell() -> Arc<ActorCell> {
        Arc::new(ActorCell::new())
    }

    #[test]
    fn slots_are_reused_and_each_removal_takes_its_own_entry() {
        let actors = Actors::new();
        let cells: Vec<_> = (0..5).map(|_| cell()).collect();
        for c in &cells {
            assert!(actors.insert(c.clone(), true, || true));
        }
        assert_eq!(actors.len(), 5);
        actors.remove(&cells[1]);
        actors.remove(&cells[3]);
        // Removing twice changes nothing.
        actors.remove(&cells[3]);
        assert_eq!(actors.len(), 3);
        let again = cell();
        assert!(actors.insert(again.clone(), false, || true));
        let mut ids = Vec::new();
        actors.for_each(|e| ids.push((e.live.cell().id(), e.track)));
        ids.sort();
        let mut expected: Vec<_> = [0, 2, 4].iter().map(|&i| (cells[i].id(), true)).collect();
        expected.push((again.id(), false));
        assert_eq!(ids, expected);
        assert!(!actors.insert(cell(), true, || false));
        assert_eq!(actors.len(), 4);
        actors.retire(&cells[0], "A", 3);
        actors.retire(&again, "A", 4);
        // Counted even when not listed (any more).
        actors.retire(&cells[1], "B", 1);
        assert_eq!(actors.len(), 2);
        let mut retired = std::collections::HashMap::new();
        actors.for_each_with_retired(
            |_| {},
            |name, n, handled| {
                let t = retired.entry(name).or_insert((0, 0));
                t.0 += n;
                t.1 += handled;
            },
        );
        assert_eq!(retired["A"], (2, 7));
        assert_eq!(retired["B"], (1, 1));
    }
}
