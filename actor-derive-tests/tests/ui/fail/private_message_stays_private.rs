mod shop {
    use actor_core::prelude::*;

    #[actor]
    pub struct Shop {
        pub stock: u32,
    }

    #[actor]
    impl Shop {
        #[message]
        fn restock(&mut self, n: u32) {
            self.stock += n;
        }
    }
}

#[tokio::main]
async fn main() {
    let system = actor_core::System::new();
    let shop = system.spawn(shop::Shop { stock: 0 });
    shop.restock(1).tell().await.unwrap();
}
