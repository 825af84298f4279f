import { describe, expect, test } from "vitest";
import { parseCsv } from "../../src/detect/csv.ts";
import { formatIssue } from "../../src/detect/errors.ts";
import { parseTimestamp } from "../../src/detect/time.ts";

describe("CSV input", () => {
  test("[DET-F1] a bad number is located at file:line:col", () => {
    const r = parseCsv("DATETIME,A,B\n01/01/17 00,1,2\n01/01/17 01,1,x2\n", "t.csv");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatchObject({ code: "CSV_NUMBER", file: "t.csv", line: 3, column: 15 });
    expect(formatIssue(r.issues[0])).toMatch(/^t\.csv:3:15: CSV_NUMBER/);
  });

  test("[DET-F2] wrong field count and bad timestamp are located", () => {
    const r = parseCsv("t,a\n2020-01-01T00:00:00Z,1,5\nnope,2\n", "u.csv");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.code, i.line, i.column])).toEqual([
      ["CSV_FIELDS", 2, 24],
      ["CSV_TIME", 3, 1],
    ]);
  });

  test("[DET-F3] BATADAL leading spaces, label column kept out of the signals, -999 unknown", () => {
    const r = parseCsv("DATETIME, L_T1, ATT_FLAG\n04/07/16 00, 2.44, -999\n04/07/16 01, 2.66, 1\n", "d4.csv", {
      labelColumn: "ATT_FLAG",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.signals).toEqual(["L_T1"]);
    expect(Array.from(r.value.labels!)).toEqual([-1, 1]);
    expect(r.value.rawTimes[0]).toBe("04/07/16 00");
  });

  test("[DET-F4] timestamps: dd/mm/yy HH and ISO 8601 with offsets, independent of the host zone", () => {
    expect(parseTimestamp("04/07/16 05")!.epoch).toBe(Date.UTC(2016, 6, 4, 5));
    expect(parseTimestamp("2014-04-10 07:15:00.000000")!.epoch).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseTimestamp("2020-01-01T01:00:00+01:00")!.epoch).toBe(Date.UTC(2020, 0, 1, 0));
    expect(parseTimestamp("31/02/16 00")).toBeNull();
  });
});
