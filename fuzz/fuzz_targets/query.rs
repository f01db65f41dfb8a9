#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| duijie_fuzz::query(data));
