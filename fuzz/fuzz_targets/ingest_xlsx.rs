#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    duijie_fuzz::leave_calamine_panics_to_the_guard();
    duijie_fuzz::ingest_xlsx(data)
});
