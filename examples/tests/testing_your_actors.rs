// tests/shop.rs: a test of one actor, `Shop`, without its real collaborators.
use std::time::Duration;

use actor_core::prelude::*;
use actor_core::testing;

/// Charges cards through the bank (in production).
#[actor]
pub struct Payments;

#[actor]
impl Payments {
    #[message]
    pub async fn charge(&mut self, cents: u64) -> Result<String, String> {
        todo!("calls the bank: {cents}")
    }
}

/// The actor under test: charges through `Payments`, gives up on the bank
/// after 10 s, and tells `sales` of every sale.
#[actor]
pub struct Shop {
    payments: PaymentsHandle,
    sales: Recipient<u64>,
}

#[actor]
impl Shop {
    #[message]
    pub async fn sell(&mut self, cents: u64) -> Result<(), String> {
        let charge = self.payments.charge(cents);
        match charge.timeout(Duration::from_secs(10)).await {
            Ok(Ok(_receipt)) => {
                let _ = self.sales.tell(cents).await;
                Ok(())
            }
            Ok(Err(declined)) => Err(declined),
            Err(AskError::Timeout(_)) => Err("the bank did not answer".to_owned()),
            Err(other) => Err(other.to_string()),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_sale_is_charged_and_announced_once() {
    let system = System::new();
    // `PaymentsCall`: `Payments`' messages, one variant each, with the reply.
    let payments = testing::stand_in::<Payments>(&system, |call| match call {
        PaymentsCall::Charge { cents, reply } => reply.send(Ok(format!("receipt {cents}"))),
    });
    let (sales, mut sold) = testing::probe::<u64>(&system);
    let shop = system.spawn(Shop { payments, sales });

    assert_eq!(shop.sell(25_00).await, Ok(Ok(())));
    assert_eq!(sold.expect_message(Duration::from_secs(1)).await, 25_00);
    sold.expect_no_message(Duration::from_secs(60)).await; // a virtual minute
}

#[tokio::test(start_paused = true)]
async fn a_bank_that_does_not_answer_fails_the_sale_after_ten_seconds() {
    let system = System::new();
    // Every call waits in `charges` for the test to look at (and answer).
    let (payments, mut charges) = testing::stand_in_probe::<Payments>(&system);
    let (sales, mut sold) = testing::probe::<u64>(&system);
    let shop = system.spawn(Shop { payments, sales });

    let start = tokio::time::Instant::now();
    let sale = tokio::spawn(shop.sell(25_00).into_owned().into_future());
    let PaymentsCall::Charge { cents, reply } =
        charges.expect_message(Duration::from_secs(1)).await;
    assert_eq!(cents, 25_00);
    // Not answered: the shop gives up on its own deadline, on the paused clock.
    assert_eq!(
        sale.await.unwrap(),
        Ok(Err("the bank did not answer".to_owned()))
    );
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    drop(reply);
    sold.expect_no_message(Duration::from_secs(1)).await;
}
// (the README shows this file up to here)

/// The README's "Testing your actors" shows this file as it is.
#[test]
fn the_readme_shows_this_test() {
    let this = include_str!("testing_your_actors.rs");
    let shown = &this[..this.find("// (the README shows").expect("the marker")];
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(shown),
        "README.md's \"Testing your actors\" differs from examples/tests/testing_your_actors.rs"
    );
}
