-- The same in both dialects. scans (system_id, finished_at, id) serves "latest scan per
-- system" (one index probe per system) and a system's scans over time;
-- findings (control, scan_id) serves "which systems fail this control".
CREATE INDEX scans_system_finished ON scans (system_id, finished_at, id);
CREATE INDEX findings_control ON findings (control, scan_id);
CREATE INDEX scan_sections_section ON scan_sections (section, scan_id);
