//! `file_pipeline` in a short mode: small files, small chunks, two CPU
//! threads. Each test checks what the run returned and printed, and what it
//! left on disk.

use std::io::Read;
use std::path::Path;

use actor_core::System;
use actor_core_examples::file_pipeline::{
    self, Input, Options, PipelineError, ProgressMode, Summary, format, generate_text, verify,
};

const CHUNK: usize = 8 << 10;

fn options(input: Input, output: Option<&Path>, in_flight: usize) -> Options {
    Options {
        input,
        output: output.map(Path::to_owned),
        chunk_size: CHUNK,
        in_flight: Some(in_flight),
        cpu_threads: Some(2),
        level: 6,
        progress: ProgressMode::Lines,
    }
}

/// Runs the pipeline and returns its summary and what it printed.
async fn run(opts: &Options) -> Result<(Summary, String), PipelineError> {
    let mut printed = Vec::new();
    let summary = file_pipeline::run(opts, &mut printed).await?;
    Ok((summary, String::from_utf8(printed).expect("UTF-8 output")))
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut restored = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut restored)
        .unwrap();
    restored
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_written_in_order_and_its_output_gunzips_to_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.gz"));
    generate_text(&input, 300_000).unwrap();
    let original = std::fs::read(&input).unwrap();

    let (summary, printed) = run(&options(Input::File(input), Some(&output), 3))
        .await
        .unwrap();

    let chunks = 300_000u64.div_ceil(CHUNK as u64);
    assert_eq!(summary.chunks, chunks);
    assert_eq!(summary.bytes_in, 300_000);
    assert_eq!(summary.bytes_out, std::fs::metadata(&output).unwrap().len());
    assert!(
        summary.ratio() < 0.5,
        "text compresses: {}",
        summary.ratio()
    );
    // Chunk i's digest is the digest of the input's bytes i * CHUNK ..: in order.
    let expected: Vec<_> = original.chunks(CHUNK).map(format::sha256).collect();
    assert_eq!(summary.digests, expected);
    // An ordinary multi-member gzip file: any gunzip restores the input exactly.
    assert_eq!(gunzip(&output), original);

    let v = &summary.verification;
    assert!(v.is_ok(), "{:?}", v.problems);
    assert_eq!((v.chunks, v.bytes), (chunks, 300_000));

    assert!(printed.contains("chunks  37 of 8.00 KiB"), "{printed}");
    assert!(
        printed.contains("100%  292.97 KiB of 292.97 KiB, 37 chunks written"),
        "{printed}"
    );
    assert!(
        printed.contains("verified: 37 of 37 chunks decompress to their original SHA-256"),
        "{printed}"
    );
    assert!(printed.trim_end().ends_with("OK"), "{printed}");
    assert!(output.exists(), "an output given with --output is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_more_chunks_are_in_flight_than_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    generate_text(&input, 200_000).unwrap();

    for limit in [1, 4] {
        let (summary, printed) = run(&options(Input::File(input.clone()), None, limit))
            .await
            .unwrap();
        assert!(summary.verification.is_ok());
        assert_eq!(summary.in_flight_limit, limit);
        assert!(
            (1..=limit).contains(&summary.peak_in_flight),
            "{} in flight with a limit of {limit}",
            summary.peak_in_flight
        );
        // The writer's reorder buffer is bounded by the same limit: a chunk
        // can only be early while an earlier one is still in flight.
        assert!(summary.writer.peak_waiting < limit);
        assert!(printed.contains(&format!("(limit {limit})")), "{printed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_one_chunk_in_flight_no_chunk_arrives_early() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    generate_text(&input, 100_000).unwrap();
    let (summary, _) = run(&options(Input::File(input), None, 1)).await.unwrap();
    assert_eq!(summary.peak_in_flight, 1);
    assert_eq!(summary.writer.early, 0);
    assert_eq!(summary.writer.peak_waiting, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_input_is_generated_and_temporary_files_are_removed() {
    let (summary, printed) = run(&options(Input::Generate { size: 50_000 }, None, 2))
        .await
        .unwrap();
    assert_eq!(summary.bytes_in, 50_000);
    assert!(summary.verification.is_ok());
    assert!(
        printed.starts_with("generating 48.83 KiB of text"),
        "{printed}"
    );
    assert!(
        printed.contains("(temporary: --output FILE keeps it)"),
        "{printed}"
    );
    assert!(!summary.input.exists(), "the generated input is removed");
    assert!(!summary.output.exists(), "the temporary output is removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_file_becomes_one_empty_gzip_member() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("empty"), dir.path().join("empty.gz"));
    std::fs::write(&input, b"").unwrap();
    let (summary, _) = run(&options(Input::File(input), Some(&output), 2))
        .await
        .unwrap();
    assert_eq!((summary.chunks, summary.bytes_in), (1, 0));
    assert!(summary.verification.is_ok());
    assert_eq!(gunzip(&output), b"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_input_is_an_error_that_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-file");
    let err = run(&options(Input::File(missing.clone()), None, 2))
        .await
        .unwrap_err();
    assert!(matches!(err, PipelineError::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot open {}", missing.display())),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_finds_a_wrong_digest_and_a_corrupt_member() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.gz"));
    generate_text(&input, 100_000).unwrap();
    let (summary, _) = run(&options(Input::File(input), Some(&output), 2))
        .await
        .unwrap();
    let last = summary.chunks - 1;

    let mut bytes = std::fs::read(&output).unwrap();
    // Member 0's recorded SHA-256 sits at bytes 20..52 (see `format`).
    bytes[30] ^= 0xff;
    // The last member's trailer holds gzip's CRC-32 of the chunk.
    let crc = bytes.len() - 6;
    bytes[crc] ^= 0xff;
    std::fs::write(&output, &bytes).unwrap();

    let system = System::new();
    let mut printed = Vec::new();
    let report = verify(
        &system,
        &output,
        Some(&summary.digests),
        2,
        ProgressMode::Off,
        &mut printed,
    )
    .await
    .unwrap();
    assert!(!report.is_ok());
    assert_eq!(
        report.chunks, summary.chunks,
        "every member is still checked"
    );
    let bad: Vec<_> = report.problems.iter().map(|p| p.index).collect();
    assert_eq!(bad, [0, last]);
    assert!(
        report.problems[0].what.contains("recorded in the output"),
        "{}",
        report.problems[0]
    );
    assert!(
        report.problems[1].what.starts_with("does not decompress"),
        "{}",
        report.problems[1]
    );
    assert!(printed.is_empty(), "ProgressMode::Off prints nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_output_may_not_overwrite_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    generate_text(&input, 10_000).unwrap();
    let err = run(&options(Input::File(input.clone()), Some(&input), 2))
        .await
        .unwrap_err();
    assert!(matches!(err, PipelineError::Options(_)), "{err:?}");
    assert_eq!(
        std::fs::metadata(&input).unwrap().len(),
        10_000,
        "untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_stops_at_a_damaged_member_length_without_reading_past_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.gz"));
    generate_text(&input, 50_000).unwrap();
    let (summary, _) = run(&options(Input::File(input), Some(&output), 2))
        .await
        .unwrap();

    let mut bytes = std::fs::read(&output).unwrap();
    // Member 0's length sits at bytes 16..20 (see `format`): claim 4 GiB.
    bytes[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    std::fs::write(&output, &bytes).unwrap();

    let report = verify(
        &System::new(),
        &output,
        Some(&summary.digests),
        2,
        ProgressMode::Off,
        &mut Vec::new(),
    )
    .await
    .unwrap();
    assert_eq!(report.chunks, 0);
    let problems: Vec<_> = report.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "chunk 0: truncated member at byte 0: 4294967295 bytes long, past the end of the file"
                .to_owned(),
            format!(
                "chunk 0: the output has 0 chunks, the input {}",
                summary.chunks
            ),
        ]
    );
}
