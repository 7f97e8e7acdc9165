//! Reading the records: one pass over each record type that something reads, a large CSV file in
//! parts on threads (each part into its own accumulators, merged in file order), small files in
//! between; and the data errors of what overflowed or lies outside the school year.

use super::*;

impl<'a> Evaluator<'a> {
    /// One pass over each record type; a large CSV file is read in parts on threads, each part
    /// into its own accumulators, merged in file order.
    pub(super) fn read(
        &mut self,
        set: &DataSet,
        errors: &mut Vec<DataError>,
        reads: &mut Vec<FileRead>,
    ) {
        let model = self.model;
        let schema = &model.schema;
        // One job per record something reads.
        let mut jobs = Vec::new();
        for (ri, rec) in schema.records.iter().enumerate() {
            let rid = RecordId(ri);
            if rec.key.is_some() {
                continue;
            }
            let mut files = Vec::new();
            for path in set.files_of(rid) {
                files.push((path, u32::try_from(self.files.len()).unwrap_or(u32::MAX)));
                self.files.push(path.display().to_string());
            }
            if let Some((plan, wanted)) = RecordPlan::new(model, &self.entities, rid, rec, files) {
                let (mut bytes, mut large) = (0, false);
                for p in set.files_of(rid) {
                    let len = std::fs::metadata(p).ok().map(|m| m.len());
                    bytes += len.unwrap_or(0);
                    large |= data::Format::of(p) == Some(data::Format::Csv)
                        && len.is_some_and(|l| l >= self.split.min_bytes);
                }
                jobs.push(Job {
                    rid,
                    rec,
                    plan,
                    wanted,
                    large,
                    bytes,
                });
            }
        }
        let entities = &self.entities;
        let split = self.split;
        // Reads one record's files; a large file in parts, whose threads do `idle` once every
        // part is taken.
        let run = |job: &Job<'_>, split, idle: &(dyn Fn() -> bool + Sync)| {
            let Job {
                rid,
                rec,
                plan,
                wanted,
                ..
            } = job;
            let mut errors = Vec::new();
            let mut reads = Vec::new();
            let all = data::stream_parts(
                schema,
                *rid,
                set,
                entities,
                wanted,
                &mut errors,
                &mut reads,
                split,
                || plan.state(),
                |st, row| plan.visit(st, row, entities, schema, rec),
                |st, who| match who {
                    Some(w) => *st.skipped.entry(w).or_default() += 1,
                    None => st.unowned += 1,
                },
                |all, st| plan.merge(all, st),
                idle,
            );
            (Some(all), errors, reads)
        };
        let in_parts = |job: &Job<'_>| job.large && split.threads > 1;
        // The small files, largest first, so that the threads end at about the same time.
        let mut small: Vec<(u64, usize)> = jobs
            .iter()
            .enumerate()
            .filter(|(_, job)| !in_parts(job))
            .map(|(i, job)| (job.bytes, i))
            .collect();
        small.sort_by(|a, b| b.cmp(a));
        let one = data::Split {
            threads: 1,
            ..split
        };
        // A small file is read by the next thread free: one reading a large file once its parts
        // are all taken, so that none waits for the last part, then any.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let taken: Vec<std::sync::Mutex<Option<JobResult>>> =
            small.iter().map(|_| std::sync::Mutex::new(None)).collect();
        let take_small = || -> bool {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (Some(&(_, i)), Some(slot)) = (small.get(k), taken.get(k)) else {
                return false;
            };
            if let Some(job) = jobs.get(i) {
                let result = run(job, one, &|| false);
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(result);
                }
            }
            true
        };
        // Large files one after another, each in parts on every thread; the small ones in
        // between and after. Results are put back in record order.
        let mut done: Vec<Option<JobResult>> = jobs.iter().map(|_| None).collect();
        if split.threads > 1 {
            for (job, slot) in jobs.iter().zip(done.iter_mut()) {
                if in_parts(job) {
                    *slot = Some(run(job, split, &take_small));
                }
            }
            crate::pool::pool(split.threads, split.threads, |_| {
                while take_small() {}
                Some(())
            });
        }
        for (&(_, i), slot) in small.iter().zip(taken) {
            if let (Ok(Some(result)), Some(done)) = (slot.into_inner(), done.get_mut(i)) {
                *done = Some(result);
            }
        }
        // Anything not read yet (one thread, or a worker that failed) is read here.
        for (job, slot) in jobs.iter().zip(done.iter_mut()) {
            if slot.is_none() {
                *slot = Some(run(job, one, &|| false));
            }
        }
        for (job, result) in jobs.iter().zip(done) {
            let Job { rid, plan, .. } = job;
            let Some((all, mut errs, mut file_reads)) = result else {
                continue;
            };
            errors.append(&mut errs);
            reads.append(&mut file_reads);
            let Some(all) = all else { continue };
            self.rows += all.rows;
            if all.unowned > 0 {
                self.unowned.insert(*rid, all.unowned);
            }
            if let Some((_, start, end)) = plan.dated {
                // Rows of the record, all its files together, read in this year.
                let inside = all.rows.saturating_sub(all.dated.values().sum());
                for (&file, &outside) in &all.dated {
                    errors.push(self.out_of_year(*rid, file, inside, outside, start, end));
                }
            }
            // Aggregations that overflowed, once merged (so the same at any thread count).
            for (a, acc) in plan.aggs.iter().zip(&all.accs) {
                let over: Vec<usize> = match acc {
                    Acc::Count(v) => v
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| **c == OVERFLOWED)
                        .map(|(i, _)| i)
                        .collect(),
                    Acc::Sum(v) => v
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.num == OVERFLOWED_SUM)
                        .map(|(i, _)| i)
                        .collect(),
                    _ => Vec::new(),
                };
                for ei in over {
                    errors.push(self.overflow(*rid, a.measure, ei, &plan.files));
                }
            }
            for ((e, ix), n) in all.skipped {
                self.skipped.insert((*rid, e, ix), n);
            }
            for (a, acc) in plan.aggs.iter().zip(all.accs) {
                self.accs.insert(a.measure, acc);
            }
            for (s, st) in plan.streams.iter().zip(all.streamed) {
                self.streamed.insert(s.rule, st);
            }
            if plan.keep.is_some() {
                self.kept.insert(*rid, all.kept);
            }
        }
    }

    /// The error, once per measure and entity, that an aggregation overflowed: the measure is
    /// undefined for that entity. (It names the entity and the files; the first row past the limit
    /// would depend on how the file was cut into parts.)
    pub(super) fn overflow(
        &self,
        rid: RecordId,
        m: MeasureId,
        ei: usize,
        files: &[(&Path, u32)],
    ) -> DataError {
        let schema = &self.model.schema;
        let name = |r: RecordId| schema.record(r).map_or("", |x| x.name.as_str());
        let (measure, entity) = self
            .model
            .measures
            .get(m)
            .map_or(("", rid), |x| (x.name.as_str(), x.entity));
        let shown: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        DataError::new(
            data::DataErrorKind::Value,
            shown.join(", "),
            format!(
                "`{measure}` of {} `{}` overflows: its rows add up past what can be counted exactly, so it is undefined",
                name(entity),
                u32::try_from(ei)
                    .ok()
                    .and_then(|i| self.entities.id(entity, i))
                    .unwrap_or(""),
            ),
        )
        .help(format!(
            "check the `{}` rows of this {} for a value far too large (a headcount or amount)",
            name(rid),
            name(entity)
        ))
    }

    /// The warning, once per file, that rows dated outside the school year were not counted.
    pub(super) fn out_of_year(
        &self,
        rid: RecordId,
        file: u32,
        inside: u64,
        outside: u64,
        start: NaiveDate,
        end: NaiveDate,
    ) -> DataError {
        let name = self
            .model
            .schema
            .record(rid)
            .map_or("", |r| r.name.as_str());
        let year = format!("{}-{}", start.format("%Y"), end.format("%Y"));
        let mut message = format!(
            "{outside} `{name}` row{} dated outside the school year {year} ({} to {}) {} not counted",
            if outside == 1 { "" } else { "s" },
            us_date(start),
            us_date(end),
            if outside == 1 { "is" } else { "are" },
        );
        let help = if outside > inside {
            message.push_str(&format!(
                "; that is most of the {} `{name}` rows",
                inside + outside
            ));
            format!(
                "check that this data is for {year}, or lint it with the policy of its own year"
            )
        } else {
            "rows of another year count toward that year's revision of the guide, not this one"
                .to_string()
        };
        DataError::new(
            data::DataErrorKind::Row,
            self.files.get(file as usize).cloned().unwrap_or_default(),
            message,
        )
        .help(help)
        .warning()
    }
}
