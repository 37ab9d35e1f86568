//! The output format: one gzip member per chunk, so the output is an ordinary
//! `.gz` file (`gunzip -c` restores the input) whose members can be checked
//! and decompressed independently, in parallel.
//!
//! Each member is a standard gzip member (RFC 1952) with one extra subfield,
//! `AC`, in its header: the member's total length (so a reader can find the
//! next member without inflating this one) and the SHA-256 of the chunk it
//! holds (so a reader can check the chunk without the original file).
//!
//! ```text
//! 1f 8b 08 04 | 00 00 00 00 | 00 ff        magic, deflate, FEXTRA, no mtime, OS unknown
//! 28 00                                    XLEN = 40
//!   'A' 'C' 24 00                          subfield AC, 36 bytes:
//!   member length (u32 LE) | SHA-256 of the chunk (32 bytes)
//! deflate data
//! CRC-32 of the chunk (u32 LE) | chunk length mod 2^32 (u32 LE)
//! ```

use std::io::{Read, Write};

use flate2::Compression;
use flate2::write::DeflateEncoder;
use sha2::{Digest as _, Sha256};

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// The length of a member's header: the fixed 10 bytes, XLEN, and the `AC` subfield.
pub const HEADER_LEN: usize = 10 + 2 + 4 + SUBFIELD_LEN;
/// The length of the gzip trailer: CRC-32 and ISIZE.
const TRAILER_LEN: usize = 8;
/// The `AC` subfield's data: the member length and the digest.
const SUBFIELD_LEN: usize = 4 + 32;

/// One compressed chunk, ready to be written.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The chunk's place in the input, from 0.
    pub index: u64,
    /// The chunk's length before compression.
    pub raw_len: usize,
    /// The SHA-256 of the chunk before compression.
    pub digest: Digest,
    /// The gzip member holding the chunk.
    pub member: Vec<u8>,
}

/// The SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> Digest {
    Sha256::digest(data).into()
}

/// `digest` as lowercase hex.
pub fn hex(digest: &Digest) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Frame {
    /// Hashes and compresses one chunk at gzip `level` (0–9). CPU-bound: run it
    /// on the CPU pool.
    pub fn compress(index: u64, chunk: &[u8], level: u32) -> Frame {
        let digest = sha256(chunk);

        let mut encoder =
            DeflateEncoder::new(Vec::with_capacity(chunk.len() / 2), Compression::new(level));
        // Writing into a Vec cannot fail.
        encoder.write_all(chunk).expect("in-memory write");
        let deflated = encoder.finish().expect("in-memory write");

        let mut crc = flate2::Crc::new();
        crc.update(chunk);

        let member_len = HEADER_LEN + deflated.len() + TRAILER_LEN;
        let mut member = Vec::with_capacity(member_len);
        member.extend_from_slice(&[0x1f, 0x8b, 8, 0x04, 0, 0, 0, 0, 0, 0xff]);
        member.extend_from_slice(&((4 + SUBFIELD_LEN) as u16).to_le_bytes());
        member.extend_from_slice(b"AC");
        member.extend_from_slice(&(SUBFIELD_LEN as u16).to_le_bytes());
        member.extend_from_slice(&len_u32(member_len).to_le_bytes());
        member.extend_from_slice(&digest);
        member.extend_from_slice(&deflated);
        member.extend_from_slice(&crc.sum().to_le_bytes());
        // ISIZE is the length modulo 2^32 by definition.
        member.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
        debug_assert_eq!(member.len(), member_len);

        Frame {
            index,
            raw_len: chunk.len(),
            digest,
            member,
        }
    }
}

/// What a member's header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberHeader {
    /// The member's total length, header and trailer included.
    pub member_len: usize,
    /// The SHA-256 of the chunk, as recorded when it was compressed.
    pub digest: Digest,
}

/// Reads the header at the start of `bytes` (at least [`HEADER_LEN`] of them).
pub fn parse_header(bytes: &[u8]) -> Result<MemberHeader, String> {
    if bytes.len() < HEADER_LEN {
        return Err(format!("truncated header ({} bytes)", bytes.len()));
    }
    if bytes[..4] != [0x1f, 0x8b, 8, 0x04] {
        return Err("not a gzip member with an extra field".to_owned());
    }
    let xlen = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
    let sublen = u16::from_le_bytes([bytes[14], bytes[15]]) as usize;
    if xlen != 4 + SUBFIELD_LEN || &bytes[12..14] != b"AC" || sublen != SUBFIELD_LEN {
        return Err("the gzip member has no AC subfield: not written by file_pipeline".to_owned());
    }
    let member_len = u32::from_le_bytes(bytes[16..20].try_into().expect("4 bytes")) as usize;
    if member_len < HEADER_LEN + TRAILER_LEN {
        return Err(format!("member length {member_len} is too short"));
    }
    let digest = bytes[20..52].try_into().expect("32 bytes");
    Ok(MemberHeader { member_len, digest })
}

/// Decompresses one whole member, checking gzip's own CRC-32 and length.
/// CPU-bound: run it on the CPU pool.
pub fn decompress(member: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(member).read_to_end(&mut out)?;
    Ok(out)
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).expect("chunks are limited to well under 4 GiB")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_a_gzip_member_that_decompresses_to_its_chunk() {
        let chunk = b"the quick brown fox jumps over the lazy dog\n".repeat(100);
        let frame = Frame::compress(7, &chunk, 6);
        assert!(frame.member.len() < chunk.len());
        let header = parse_header(&frame.member).unwrap();
        assert_eq!(header.member_len, frame.member.len());
        assert_eq!(header.digest, sha256(&chunk));
        assert_eq!(decompress(&frame.member).unwrap(), chunk);
    }

    #[test]
    fn an_empty_chunk_is_a_valid_member() {
        let frame = Frame::compress(0, b"", 6);
        assert_eq!(decompress(&frame.member).unwrap(), b"");
    }

    #[test]
    fn concatenated_members_decompress_as_one_gzip_stream() {
        let mut file = Vec::new();
        let mut input = Vec::new();
        for i in 0..3u8 {
            let chunk = vec![b'a' + i; 1000];
            file.extend_from_slice(&Frame::compress(i.into(), &chunk, 1).member);
            input.extend_from_slice(&chunk);
        }
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&file[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, input);
    }
}
