//! Named actors: register a handle under a name, look it up, typed, from
//! anywhere that has the [`System`](crate::System).
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Config { port: u16 }
//!
//! #[actor]
//! impl Config {
//!     #[message]
//!     fn port(&self) -> u16 { self.port }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = System::new();
//! let config = system.spawn(Config { port: 8080 });
//! system.register("config", &config)?;
//!
//! // Elsewhere, with only the system at hand:
//! let config: ConfigHandle = system.lookup("config")?;
//! assert_eq!(config.port().await?, 8080);
//!
//! // The entry goes when the actor stops.
//! config.stop();
//! config.wait_stopped().await;
//! assert!(matches!(
//!     system.lookup::<ConfigHandle>("config"),
//!     Err(RegistryError::NotFound { .. })
//! ));
//! # Ok(())
//! # }
//! ```
//!
//! # Rules
//!
//! - A name holds one actor. Registering a taken name fails with
//!   [`RegistryError::NameTaken`], even for the actor that holds it; the
//!   holder keeps it. One actor may hold several names.
//! - A lookup names the handle type it wants; a name held by an actor of
//!   another type fails with [`RegistryError::WrongType`], naming both types.
//! - A name is freed when its actor stops for good (a supervised actor keeps
//!   its names across restarts, like its handle), or by
//!   [`System::unregister`](crate::System::unregister). A name freed and
//!   taken by a new actor is never removed by the old actor's stop.
//! - A registered handle keeps the actor's mailbox open, as any handle does;
//!   it does not keep the actor alive (actors live until stopped).

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::cell::{ActorId, HookKey, Live};
use crate::handle::ActorHandle;

type Names = Mutex<HashMap<String, Entry>>;

/// The registry of a system: names of live actors and their handles.
pub(crate) struct Registry {
    names: Arc<Names>,
}

struct Entry {
    actor: Arc<dyn Live>,
    /// The hook that frees the name when the actor stops, once attached.
    hook: Option<HookKey>,
    /// `std::any::type_name` of the handle, for [`RegistryError::WrongType`].
    type_name: &'static str,
    /// The typed handle (`H: ActorHandle`), for the lookup to downcast.
    handle: Box<dyn Any + Send + Sync>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("names", &lock(&self.names).len())
            .finish()
    }
}

impl Registry {
    pub(crate) fn new() -> Self {
        Registry {
            names: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub(crate) fn register<H: ActorHandle>(
        &self,
        name: String,
        handle: &H,
    ) -> Result<(), RegistryError> {
        let actor = handle.actor_ref().live();
        let cell = actor.cell();
        if cell.has_ended() {
            return Err(RegistryError::Stopped { name });
        }
        {
            let mut names = lock(&self.names);
            if let Some(holder) = names.get(&name)
                && !holder.actor.cell().has_ended()
            {
                return Err(RegistryError::NameTaken { name });
            }
            // A stopped holder's own hook has not removed it yet: replace it;
            // that hook will see another id and leave the new entry alone.
            names.insert(
                name.clone(),
                Entry {
                    actor: actor.clone(),
                    hook: None,
                    type_name: std::any::type_name::<H>(),
                    handle: Box::new(handle.clone()),
                },
            );
        }
        // Outside the lock: for an actor that stopped meanwhile this runs at once.
        let names = Arc::downgrade(&self.names);
        let id = cell.id();
        let key = name.clone();
        let hook = cell.on_stopped(Box::new(move |_| remove_if_held_by(&names, &key, id)));
        // Kept with the entry, so that `unregister` frees the hook too.
        if let Some(entry) = lock(&self.names).get_mut(&name)
            && entry.actor.cell().id() == id
        {
            entry.hook = hook;
        } else if let Some(hook) = hook {
            cell.remove_hook(hook);
        }
        Ok(())
    }

    pub(crate) fn lookup<H: ActorHandle>(&self, name: &str) -> Result<H, RegistryError> {
        let names = lock(&self.names);
        let entry = match names.get(name) {
            Some(entry) if !entry.actor.cell().has_ended() => entry,
            _ => {
                return Err(RegistryError::NotFound {
                    name: name.to_owned(),
                });
            }
        };
        match entry.handle.downcast_ref::<H>() {
            Some(handle) => Ok(handle.clone()),
            None => Err(RegistryError::WrongType {
                name: name.to_owned(),
                expected: std::any::type_name::<H>(),
                found: entry.type_name,
            }),
        }
    }

    pub(crate) fn unregister(&self, name: &str) -> Result<(), RegistryError> {
        let removed = lock(&self.names).remove(name);
        match removed {
            Some(entry) if !entry.actor.cell().has_ended() => {
                if let Some(hook) = entry.hook {
                    entry.actor.cell().remove_hook(hook);
                }
                Ok(())
            }
            _ => Err(RegistryError::NotFound {
                name: name.to_owned(),
            }),
        }
    }

    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = lock(&self.names)
            .iter()
            .filter(|(_, entry)| !entry.actor.cell().has_ended())
            .map(|(name, _)| name.clone())
            .collect();
        names.sort_unstable();
        names
    }
}

/// The stop hook of a registration: frees `name` if actor `id` still holds it.
fn remove_if_held_by(names: &Weak<Names>, name: &str, id: ActorId) {
    let Some(names) = names.upgrade() else { return };
    let mut names = lock(&names);
    if names
        .get(name)
        .is_some_and(|entry| entry.actor.cell().id() == id)
    {
        names.remove(name);
    }
}

fn lock(names: &Names) -> MutexGuard<'_, HashMap<String, Entry>> {
    names.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a registry operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// Another actor (or this one) already holds the name.
    #[error("the name `{name}` is already registered")]
    NameTaken {
        /// The name asked for.
        name: String,
    },
    /// No live actor holds the name.
    #[error("no actor is registered under `{name}`")]
    NotFound {
        /// The name looked up.
        name: String,
    },
    /// The actor holding the name has another handle type than the one asked for.
    #[error("the actor registered under `{name}` is a `{found}`, not a `{expected}`")]
    WrongType {
        /// The name looked up.
        name: String,
        /// The handle type asked for.
        expected: &'static str,
        /// The handle type registered under the name.
        found: &'static str,
    },
    /// The actor to register has already stopped.
    #[error("cannot register `{name}`: the actor is stopped")]
    Stopped {
        /// The name asked for.
        name: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::System;

    #[crate::actor(crate = crate)]
    struct Named;

    #[crate::actor(crate = crate)]
    impl Named {}

    fn entries(registry: &Registry) -> usize {
        lock(&registry.names).len()
    }

    #[tokio::test]
    async fn a_stopped_actors_entries_are_removed_not_only_hidden() {
        let system = System::new();
        let registry = Registry::new();
        let named = system.spawn(Named);
        registry.register("a".into(), &named).unwrap();
        registry.register("b".into(), &named).unwrap();
        assert_eq!(entries(&registry), 2);
        named.stop();
        named.wait_stopped().await;
        assert_eq!(entries(&registry), 0);
    }

    #[tokio::test]
    async fn a_dead_holders_entry_is_replaced_and_its_late_hook_spares_the_new_one() {
        let system = System::new();
        let registry = Registry::new();
        let (old, new) = (system.spawn(Named), system.spawn(Named));
        old.stop();
        old.wait_stopped().await;
        // As if `old` had been registered and its stop hook had not run yet.
        lock(&registry.names).insert(
            "n".into(),
            Entry {
                actor: old.actor_ref().live(),
                hook: None,
                type_name: std::any::type_name::<NamedHandle>(),
                handle: Box::new(old.clone()),
            },
        );
        assert!(registry.lookup::<NamedHandle>("n").is_err());
        registry.register("n".into(), &new).unwrap();
        remove_if_held_by(&Arc::downgrade(&registry.names), "n", old.id());
        let found: NamedHandle = registry.lookup("n").unwrap();
        assert_eq!(found.id(), new.id());
    }

    #[tokio::test]
    async fn unregister_frees_what_register_attached() {
        let system = System::new();
        let registry = Registry::new();
        let named = system.spawn(Named);
        let cell = named.actor_ref().cell();
        for _ in 0..1000 {
            registry.register("n".into(), &named).unwrap();
            registry.unregister("n").unwrap();
        }
        assert_eq!(
            cell.stop_hooks(),
            0,
            "each unregister takes its stop hook back"
        );
        registry.register("n".into(), &named).unwrap();
        assert_eq!(cell.stop_hooks(), 1);
        named.stop();
        named.wait_stopped().await;
        assert_eq!(entries(&registry), 0);
    }
}
