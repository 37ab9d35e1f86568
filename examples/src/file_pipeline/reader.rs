//! The [`Reader`] actor: owns the input file and hands it out one chunk per ask.

use std::io::{self, SeekFrom};

use actor_core::prelude::*;
use tokio::fs::File;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// Reads the input in chunks of a fixed size.
///
/// One actor owns the file, so reads never interleave and the file position
/// is plain state; asks for chunks in order read the file sequentially.
#[actor]
pub struct Reader {
    file: File,
    chunk_size: usize,
    /// Where the file's cursor is, to skip the seek of a sequential read.
    position: u64,
}

impl Reader {
    /// A reader of `file` in chunks of `chunk_size` bytes.
    pub fn new(file: File, chunk_size: usize) -> Self {
        Reader {
            file,
            chunk_size,
            position: 0,
        }
    }
}

#[actor]
impl Reader {
    /// Chunk `index`: the `chunk_size` bytes at `index * chunk_size`, fewer
    /// at the end of the file.
    #[message]
    pub async fn read(&mut self, index: u64) -> io::Result<Vec<u8>> {
        let offset = index * self.chunk_size as u64;
        if offset != self.position {
            self.file.seek(SeekFrom::Start(offset)).await?;
            self.position = offset;
        }
        let mut chunk = Vec::with_capacity(self.chunk_size);
        let read = (&mut self.file)
            .take(self.chunk_size as u64)
            .read_to_end(&mut chunk)
            .await;
        // Wherever a failed read left the cursor, seek before the next one.
        self.position = match read {
            Ok(n) => offset + n as u64,
            Err(_) => u64::MAX,
        };
        read.map(|_| chunk)
    }
}
