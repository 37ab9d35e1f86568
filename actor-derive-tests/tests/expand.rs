//! Expansion snapshots: what `#[actor]` generates for representative actors,
//! formatted with prettyplease, kept in `tests/snapshots/` (insta).
//!
//! A proc-macro crate exports nothing but its macros, so this test compiles
//! the macro crate's own modules into itself: each `#[path]` module below is
//! a file of `actor-macros/src/`, mounted at this crate's root under its own
//! name so that its `crate::` paths resolve as they do in the macro crate.
//! `entry.rs` holds the entry points over `proc_macro2` types, which run
//! outside a macro expansion; `lib.rs`, which only wraps them in
//! `#[proc_macro_attribute]` functions, is left out. actor-macros stays one
//! crate.
//!
//! Review a changed snapshot with `cargo insta review`, or rerun with
//! `INSTA_UPDATE=always` and read the diff; with `CI=true` a mismatch fails.

#![allow(dead_code, clippy::all)]

#[path = "../../actor-macros/src/ast.rs"]
mod ast;
#[path = "../../actor-macros/src/attr.rs"]
mod attr;
#[path = "../../actor-macros/src/check.rs"]
mod check;
#[path = "../../actor-macros/src/ctxt.rs"]
mod ctxt;
#[path = "../../actor-macros/src/entry.rs"]
mod entry;
#[path = "../../actor-macros/src/expand.rs"]
mod expand;
#[path = "../../actor-macros/src/naming.rs"]
mod naming;

use proc_macro2::TokenStream;
use quote::quote;

/// Snapshots the expansion alone: the input is in it.
macro_rules! assert_expansion {
    ($expanded:expr) => {
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!($expanded);
        })
    };
}

/// `#[actor(args)]` applied to `item`, formatted. The items generated for
/// actor-core's `testing` feature come last, formatted too, after a comment
/// line: in the expansion they are the body of an `if_testing! { .. }`,
/// which prettyplease would print as one unformatted token stream, and
/// which `cargo expand` shows as plain items where the feature is on.
fn expand(args: TokenStream, item: TokenStream) -> String {
    let out = entry::actor(args, item);
    let mut file: syn::File = syn::parse2(out.clone())
        .unwrap_or_else(|err| panic!("the expansion is not a file ({err}):\n{out}"));
    let mut gated = Vec::new();
    file.items.retain(|item| match item {
        syn::Item::Macro(m) => {
            let name = m.mac.path.segments.last().unwrap().ident.to_string();
            let feature = match name.as_str() {
                "if_testing" => "testing",
                "if_remote" => "remote",
                _ => return true,
            };
            gated.push((name, feature, m.mac.tokens.clone()));
            false
        }
        _ => true,
    });
    let mut text = prettyplease::unparse(&file);
    for (name, feature, tokens) in gated {
        let items: syn::File = syn::parse2(tokens.clone())
            .unwrap_or_else(|err| panic!("`{name}!` holds no items ({err}):\n{tokens}"));
        text.push_str(&format!(
            "// {name}! {{: with actor-core's `{feature}` feature only\n"
        ));
        text.push_str(&prettyplease::unparse(&items));
        text.push_str("// }\n");
    }
    text
}

/// Both halves of an actor, as `cargo expand` shows them.
fn expand_actor(
    struct_args: TokenStream,
    item_struct: TokenStream,
    impl_args: TokenStream,
    item_impl: TokenStream,
) -> String {
    format!(
        "{}\n{}",
        expand(struct_args, item_struct),
        expand(impl_args, item_impl)
    )
}

#[test]
fn struct_side() {
    assert_expansion!(expand(
        quote!(mailbox = 16),
        quote! {
            /// Counts.
            #[derive(Default)]
            pub struct Counter {
                count: u64,
                label: String,
            }
        },
    ));
}

#[test]
fn plain_actor() {
    assert_expansion!(expand(
        quote!(),
        quote! {
            impl Counter {
                /// Adds `by` to the count.
                #[message]
                pub fn inc(&mut self, by: u64) {
                    self.count += by;
                }

                /// The current count.
                #[message]
                pub fn get(&self) -> u64 {
                    self.count
                }

                #[message(response = u64)]
                pub(crate) fn reset(&mut self) -> u64 {
                    std::mem::take(&mut self.count)
                }
            }
        },
    ));
}

#[test]
fn remote_actor() {
    assert_expansion!(expand(
        quote!(remote = "ci.Scheduler"),
        quote! {
            impl Scheduler {
                /// Queues a job; answers its place in the queue.
                #[message]
                pub fn schedule(&mut self, job: Job, priority: u8) -> usize {
                    self.queue.push((job, priority));
                    self.queue.len()
                }

                #[message]
                pub async fn cancel(&mut self, name: String) {
                    self.queue.retain(|(job, _)| job.name != name);
                }

                #[message(local)]
                pub fn drain_to(&mut self, to: Sender<Job>) {}
            }
        },
    ));
}

#[test]
fn generic_actor() {
    assert_expansion!(expand_actor(
        quote!(),
        quote! {
            pub struct Stack<T: Send + 'static> {
                items: Vec<T>,
            }
        },
        quote!(),
        quote! {
            impl<T: Send + 'static> Stack<T> {
                #[message]
                pub fn push(&mut self, item: T) {
                    self.items.push(item);
                }

                #[message]
                pub fn pop(&mut self) -> Option<T> {
                    self.items.pop()
                }
            }
        },
    ));
}

#[test]
fn async_actor() {
    assert_expansion!(expand(
        quote!(),
        quote! {
            impl Fetcher {
                #[on_start]
                async fn started(&mut self, ctx: &mut Context<Self>) {
                    self.client.connect().await;
                }

                #[message]
                pub async fn fetch(&mut self, key: String) -> Result<Bytes, FetchError> {
                    self.client.get(&key).await
                }
            }
        },
    ));
}

#[test]
fn delegated_reply_actor() {
    assert_expansion!(expand(
        quote!(),
        quote! {
            impl Hasher {
                /// Hashes on the CPU pool; the actor takes its next message at once.
                #[message(response = Digest)]
                pub fn digest(&mut self, data: Bytes, reply: Reply<Digest>, ctx: &mut Context<Self>) {
                    ctx.spawn_cpu(move || reply.send(sha256(&data)));
                }
            }
        },
    ));
}

#[test]
fn hooks() {
    assert_expansion!(expand(
        quote!(),
        quote! {
            impl Worker {
                #[on_start]
                fn started(&mut self) {}

                #[on_restart]
                fn restarted(&mut self, ctx: &mut Context<Self>) {}

                #[on_stop]
                async fn stopped(&mut self, reason: &StopReason, ctx: &mut Context<Self>) {}
            }
        },
    ));
}

#[test]
fn monitor_hooks() {
    assert_expansion!(expand(
        quote!(),
        quote! {
            impl Manager {
                #[message]
                fn watch(&mut self, worker: WorkerHandle, ctx: &mut Context<Self>) {
                    ctx.watch(&worker);
                }

                #[on_down]
                fn worker_down(&mut self, id: ActorId, reason: StopReason) {}

                #[on_link_died]
                async fn worker_died(&mut self, ctx: &mut Context<Self>, id: ActorId, reason: StopReason) {}
            }
        },
    ));
}

#[test]
fn array_arguments() {
    // An array argument travels boxed when it is large; an async handler
    // that takes one has its future boxed too.
    assert_expansion!(expand(
        quote!(),
        quote! {
            impl Codec {
                #[message]
                pub fn encode(&mut self, frame: [u8; FRAME]) -> Result<usize, Error> {
                    self.sink.write(&frame)
                }

                #[message]
                pub async fn decode(&mut self, frame: [u8; FRAME], ctx: &mut Context<Self>) -> usize {
                    self.source.read(&frame).await
                }
            }
        },
    ));
}

#[test]
fn crate_path() {
    let expanded = expand_actor(
        quote!(crate = reexport::actor_core, mailbox = unbounded),
        quote! {
            pub struct Greeter;
        },
        quote!(crate = "reexport::actor_core"),
        quote! {
            impl Greeter {
                #[message]
                pub async fn greet(&self, name: String) -> String {
                    name
                }
            }
        },
    );
    // Every path to the runtime goes through `crate = ..`.
    assert!(
        !expanded
            .replace("reexport::actor_core", "")
            .contains("actor_core"),
        "a path to the runtime does not go through `crate = ..`:\n{expanded}"
    );
    assert_expansion!(expanded);
}

#[test]
fn errors_keep_the_rest() {
    // The broken message is left out (its method stays a plain method); the
    // rest is generated, so the handle and other messages keep compiling.
    assert_expansion!(expand(
        quote!(),
        quote! {
            impl Counter {
                #[message(reply = u64)]
                pub fn get(&self) -> u64 {
                    self.count
                }

                #[message]
                pub fn inc(&mut self, by: &u64) {
                    self.count += *by;
                }

                #[message]
                pub fn dec(&mut self) {
                    self.count -= 1;
                }
            }
        },
    ));
}
