//! Closures and fn pointers are owned values even when their own signature
//! borrows: only a borrow the value itself holds is refused. `Send + 'static`
//! is the type system's to check.

use actor_core::prelude::*;

type Job = Box<dyn FnOnce(&mut Vec<u32>) -> usize + Send>;

#[actor]
struct Numbers {
    items: Vec<u32>,
}

#[actor]
impl Numbers {
    /// "Send a closure to run on the state".
    #[message]
    fn run(&mut self, job: Box<dyn FnOnce(&mut Vec<u32>) -> usize + Send>) -> usize {
        job(&mut self.items)
    }

    #[message]
    fn run_alias(&mut self, job: Job) -> usize {
        job(&mut self.items)
    }

    #[message]
    fn count_where(&self, keep: fn(&u32) -> bool) -> usize {
        self.items.iter().filter(|n| keep(n)).count()
    }

    #[message]
    fn matches(&self, text: String, test: Box<dyn for<'a> Fn(&'a str) -> bool + Send>) -> bool {
        test(&text)
    }

    #[message]
    fn label(&self, name: &'static str) -> String {
        format!("{name}: {}", self.items.len())
    }

    /// A response that is a closure over borrowed arguments.
    #[message]
    fn checker(&self) -> Box<dyn Fn(&[u32]) -> bool + Send> {
        let len = self.items.len();
        Box::new(move |other| other.len() == len)
    }
}

fn is_even(n: &u32) -> bool {
    n % 2 == 0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let numbers = system.spawn(Numbers { items: vec![] });
    let pushed = numbers
        .run(Box::new(|items: &mut Vec<u32>| {
            items.extend([1, 2, 3, 4]);
            items.len()
        }))
        .await;
    assert_eq!(pushed, Ok(4));
    let job: Job = Box::new(|items| items.iter().sum::<u32>() as usize);
    assert_eq!(numbers.run_alias(job).await, Ok(10));
    assert_eq!(numbers.count_where(is_even).await, Ok(2));
    assert_eq!(numbers.matches("abc".into(), Box::new(|s| s.starts_with('a'))).await, Ok(true));
    assert_eq!(numbers.label("n").await, Ok("n: 4".to_owned()));
    let check = numbers.checker().await.unwrap();
    assert!(check(&[0; 4]));
    system.shutdown().await;
}
