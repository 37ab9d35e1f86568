//! Visibility carries over to the handle: `pub` and `pub(crate)` messages
//! are callable outside the actor's module (a private one is not:
//! `fail/private_message_stays_private.rs`). Doc comments carry over too (see
//! the expansion snapshots); they must not get in the way.

mod shop {
    use actor_core::prelude::*;

    /// A shop.
    #[actor]
    pub struct Shop {
        stock: u32,
    }

    impl Shop {
        /// A shop with `stock` items.
        pub fn new(stock: u32) -> Self {
            Shop { stock }
        }
    }

    #[actor]
    impl Shop {
        /// Sells one item, if any is left.
        ///
        /// Returns whether it sold.
        #[message]
        pub fn sell(&mut self) -> bool {
            let sold = self.stock > 0;
            self.stock -= u32::from(sold);
            sold
        }

        /// Items left.
        #[message]
        pub(crate) fn stock(&self) -> u32 {
            self.stock
        }

        #[message]
        fn restock(&mut self, n: u32) {
            self.stock += n;
        }

        /// Restocks through the private message.
        #[message]
        pub async fn restock_via_self(&mut self, n: u32, ctx: &mut Context<Self>) {
            // The private handle method is callable inside the module.
            ctx.handle().restock(n).try_tell().unwrap();
        }
    }
}

#[tokio::main]
async fn main() {
    let system = actor_core::System::new();
    let shop: shop::ShopHandle = system.spawn(shop::Shop::new(1));
    assert!(shop.sell().await.unwrap());
    assert!(!shop.sell().await.unwrap());
    shop.restock_via_self(2).await.unwrap();
    assert_eq!(shop.stock().await.unwrap(), 2);
    system.shutdown().await;
}
