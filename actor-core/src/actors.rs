//! The list of a system's live actors and supervisors: what lets
//! [`System::shutdown`](crate::System::shutdown) stop every actor and
//! [`System::metrics`](crate::System::metrics) see every one.
//!
//! Spawning and stopping are the hot operations, listing is rare: an actor is
//! put in a free slot of a vector (no hashing, no rehash when it grows), and
//! its cell remembers the slot, so removing it is an index. The slots are
//! split in shards, each thread taking the one it was given on first use, so
//! that actors spawned on different threads take different locks.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::cell::{ActorCell, Live, NOT_LISTED};

/// Shards of the list: a power of two, at most `1 << SHARD_BITS`.
const SHARD_BITS: u32 = 3;
const SHARDS: usize = 1 << SHARD_BITS;

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
}

enum Slot {
    Taken(Entry),
    /// Free; the next free slot.
    Free(Option<u32>),
}

thread_local! {
    /// The shard this thread lists its spawns in (`usize::MAX`: not chosen yet).
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// The shard of the calling thread, chosen round-robin on first use.
#[inline]
fn my_shard() -> usize {
    SHARD.with(|s| {
        let mine = s.get();
        if mine != usize::MAX {
            return mine;
        }
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let mine = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
        s.set(mine);
        mine
    })
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
        let shard = my_shard();
        let mut s = self.lock(shard);
        if !admit() {
            return false;
        }
        let cell = live.cell();
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
        cell.slot()
            .store(index << SHARD_BITS | shard as u32, Ordering::Relaxed);
        true
    }

    /// Removes the actor of `cell`, if it is listed.
    pub(crate) fn remove(&self, cell: &ActorCell) {
        let at = cell.slot().swap(NOT_LISTED, Ordering::Relaxed);
        if at == NOT_LISTED {
            return;
        }
        let (shard, i) = ((at as usize) & (SHARDS - 1), (at >> SHARD_BITS) as usize);
        let mut s = self.lock(shard);
        let s = &mut *s;
        // Only this cell's entry: the slot index came from it.
        if let Some(slot @ Slot::Taken(_)) = s.slots.get_mut(i) {
            *slot = Slot::Free(s.free);
            s.free = Some(i as u32);
            s.len -= 1;
        }
    }

    /// Calls `f` with every listed actor, one shard locked at a time.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&Entry)) {
        for shard in 0..SHARDS {
            let s = self.lock(shard);
            for slot in &s.slots {
                if let Slot::Taken(entry) = slot {
                    f(entry);
                }
            }
        }
    }

    /// How many actors are listed.
    pub(crate) fn len(&self) -> usize {
        (0..SHARDS).map(|shard| self.lock(shard).len).sum()
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
    }
}
