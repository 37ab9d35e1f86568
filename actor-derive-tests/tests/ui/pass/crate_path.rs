//! `#[actor(crate = path)]`, for a crate that re-exports actor-core: the
//! generated code names the runtime through the path only. Nothing here
//! names `actor_core` except the re-export (the expansion snapshot test
//! checks that no `::actor_core` path is generated).

mod reexport {
    pub use actor_core;
}

mod app {
    use crate::reexport::actor_core::{Context, System};

    #[crate::reexport::actor_core::actor(crate = crate::reexport::actor_core, mailbox = 8)]
    pub struct Greeter {
        pub greeting: String,
    }

    #[crate::reexport::actor_core::actor(crate = "crate::reexport::actor_core")]
    impl Greeter {
        #[message]
        pub fn greet(&self, name: String) -> String {
            format!("{}, {name}", self.greeting)
        }

        #[message]
        pub fn me(&self, ctx: &mut Context<Self>) -> GreeterHandle {
            ctx.handle()
        }
    }

    pub async fn run() {
        let system = System::new();
        let greeter = system.spawn(Greeter {
            greeting: "hello".into(),
        });
        assert_eq!(greeter.greet("ada".into()).await.unwrap(), "hello, ada");
        assert_eq!(greeter.me().await.unwrap(), greeter);
        assert_eq!(greeter.mailbox_capacity(), Some(8));
        system.shutdown().await;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    app::run().await;
}
