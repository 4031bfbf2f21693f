-- The floor reference: the fastest hand-written DuckDB SQL we know for nrr's ungrouped,
-- account-level monthly report (snapshot method, actual fx), following
-- shared/data-contract.md section 2 and docs/definitions.md.
--
-- bench/floor.py binds the inputs before running this file:
--   subscriptions, fx_rates   views over the dataset's Parquet (or CSV) files, as text
--   getvariable('window_from'), getvariable('window_to')   first-of-month DATEs
--
-- Why it is shaped this way (each choice was measured at 1M customers; the versions are in
-- docs/benchmarks.md):
--   * A line only changes MRR at the first month boundary on or after its start and on or
--     after its end, so each line with a positive value becomes two change points. Summed
--     per (unit, boundary) and run through one window, they give each unit's value in its
--     own currency as steps. No customer x month grid: at 1M customers it has 20M rows, and
--     a first version built on it (a GROUP BY per customer and period) took 33 s at 1M,
--     25x its time at 100k.
--   * Only a change point needs a row of its own: the period ending there compares the
--     value before and after it (a churn, an expansion, a new customer...). Between change
--     points a unit's value in its own currency is constant, so in those periods it moves
--     only with the exchange rate, the same way for every unit of that currency: per
--     (currency, period) they are "everything open at t0 minus the units changing at t1",
--     and the rate's move says expansion, contraction or flat. That took the query from
--     33 s to about 12 CPU seconds.
--   * Instants are month indexes (year * 12 + month - 1) and a unit (customer, currency) is
--     an integer: the customer_id text is hashed in one GROUP BY and one join, and the big
--     GROUP BY and window run on integers (about 20% less CPU than on text at 1M).
--   * A running count of open positive lines, not the float running sum, decides whether
--     a unit has MRR: a sum of +v and -v can leave 1e-13 behind when everything has closed.
--   * Customers with lines in several currencies cannot be split by currency; they (none in
--     the demo data, one in tests/scenarios/multi_currency) take a general path: their
--     steps expanded to months and compared.
--   * Reactivation needs the first instant of MRR > 0 on any day: the earliest start of a
--     line with a positive value, looked up only for the units entering in a period.
--   * Joins on the big tables are plain equalities; the only range condition is in the
--     boundaries x fx_rates join (37 x a few rows).

WITH
window_bounds AS (
    SELECT
        year(getvariable('window_from')::DATE) * 12 + month(getvariable('window_from')::DATE) - 1
            AS first_m,
        year(getvariable('window_to')::DATE) * 12 + month(getvariable('window_to')::DATE) - 1
            AS last_m
),
fx AS (
    SELECT trim(currency) AS currency, "date"::DATE AS valid_from, rate::DOUBLE AS rate
    FROM fx_rates
),
base AS (  -- the currency used without rates of its own, else USD
    SELECT coalesce(min(c), 'USD') AS currency
    FROM (SELECT DISTINCT nullif(trim(currency), '') AS c FROM subscriptions) AS used
    WHERE c IS NOT NULL AND c NOT IN (SELECT currency FROM fx)
),
currencies AS (  -- every currency a line may use (validation requires a rate), numbered
    SELECT currency, (row_number() OVER (ORDER BY currency) - 1)::BIGINT AS code,
           count(*) OVER () AS n
    FROM (SELECT currency FROM fx UNION SELECT currency FROM base)
),
boundaries AS (
    SELECT range AS m, make_date((range // 12)::INTEGER, (range % 12 + 1)::INTEGER, 1) AS t
    FROM window_bounds, range(first_m, last_m + 1)
),
rates AS (  -- (code, m, r): reporting-currency units per unit of currency, in force at m
    SELECT c.code, b.m, coalesce(arg_max(f.rate, f.valid_from), 1.0) AS r
    FROM boundaries AS b
    CROSS JOIN currencies AS c
    LEFT JOIN fx AS f ON f.currency = c.currency AND f.valid_from <= b.t
    GROUP BY ALL
),
rate_moves AS (  -- (code, p, r0, r1): the rates at both ends of period p
    SELECT a.code, a.m AS p, a.r AS r0, b.r AS r1
    FROM rates AS a JOIN rates AS b ON b.code = a.code AND b.m = a.m + 1
),
typed AS (
    SELECT
        customer_id,
        coalesce(nullif(trim(currency), ''), (SELECT currency FROM base)) AS currency,
        start_date::DATE AS s,
        nullif(trim(end_date), '')::DATE AS e,
        amount::DOUBLE AS amount,
        coalesce(nullif(trim(billing_months), '')::INTEGER, 1) AS billing_months,
        trim(kind) = 'usage' AS usage
    FROM subscriptions
),
valued AS (
    SELECT
        customer_id,
        currency,
        s,
        CASE
            WHEN usage THEN amount / CASE
                WHEN day(s) = day(e)
                    THEN ((year(e) * 12 + month(e)) - (year(s) * 12 + month(s)))::DOUBLE
                ELSE (e - s) / 30.4375
            END
            ELSE amount / billing_months
        END AS v,
        year(s) * 12 + month(s) - 1 + (day(s) > 1)::INTEGER AS m_start,
        CASE WHEN e IS NULL THEN 2147483647
             ELSE year(e) * 12 + month(e) - 1 + (day(e) > 1)::INTEGER END AS m_end
    FROM typed
),
customers AS (  -- an integer per customer, its first MRR > 0, whether it has one currency
    SELECT customer_id, (row_number() OVER ())::BIGINT AS k, first_start, several_currencies
    FROM (
        SELECT customer_id, min(s) FILTER (WHERE v > 0) AS first_start,
               min(currency) <> max(currency) AS several_currencies
        FROM valued
        GROUP BY customer_id
    )
),
changes AS (  -- (unit, m): net change of value and of open positive lines at boundary m
    SELECT unit, several_currencies, m, sum(dv) AS dv, sum(dn) AS dn
    FROM (
        SELECT c.k * cur.n + cur.code AS unit, c.several_currencies,
               unnest([greatest(l.m_start, w.first_m), least(l.m_end, w.last_m + 1)]) AS m,
               unnest([l.v, -l.v]) AS dv, unnest([1, -1]) AS dn
        FROM valued AS l
        JOIN customers AS c USING (customer_id)
        JOIN currencies AS cur USING (currency)
        CROSS JOIN window_bounds AS w
        WHERE l.v > 0 AND greatest(l.m_start, w.first_m) < least(l.m_end, w.last_m + 1)
    )
    GROUP BY ALL
),
steps AS (  -- each change point with the value before and after it (null: MRR is 0)
    SELECT
        unit, several_currencies, m, dv,
        (open_lines > 0)::INTEGER - (open_lines - dn > 0)::INTEGER AS opened,
        CASE WHEN open_lines > 0 THEN running END AS after,
        CASE WHEN open_lines - dn > 0 THEN running - dv END AS before
    FROM (
        SELECT unit, several_currencies, m, dv, dn,
               sum(dv) OVER w AS running, sum(dn) OVER w AS open_lines
        FROM changes
        WINDOW w AS (PARTITION BY unit ORDER BY m ROWS UNBOUNDED PRECEDING)
    )
),
single_steps AS (
    SELECT unit // n AS k, unit % n AS code, m, dv, opened, before, after
    FROM steps, (SELECT max(n) AS n FROM currencies)
    WHERE NOT several_currencies
),
-- Path 1 (single-currency customers): the period ending at each step, one row per unit.
step_rows AS (
    SELECT s.k, x.p, coalesce(s.before, 0.0) * x.r0 AS m0, coalesce(s.after, 0.0) * x.r1 AS m1
    FROM single_steps AS s
    JOIN rate_moves AS x ON x.code = s.code AND x.p = s.m - 1
    WHERE s.before > 0 OR s.after > 0
),
-- Path 1, the other units: a unit with MRR at t0 and no change point at t1 keeps its value
-- in its own currency, so per currency: held = everything open at t0 minus what changes.
currency_moves AS (  -- per (currency, m): change of the value and of the units open
    SELECT code, m, sum(dv) AS dv, sum(opened) AS opened,
           sum(before) FILTER (WHERE before > 0) AS changed_value,
           count(*) FILTER (WHERE before > 0) AS changed_units
    FROM single_steps
    GROUP BY ALL
),
held AS (  -- (currency, p): value and units held unchanged in that currency through p
    SELECT x.code, x.p, x.r0, x.r1,
           sum(coalesce(c.dv, 0.0)) OVER w - coalesce(n.changed_value, 0.0) AS held_value,
           sum(coalesce(c.opened, 0)) OVER w - coalesce(n.changed_units, 0) AS held_units
    FROM rate_moves AS x
    LEFT JOIN currency_moves AS c ON c.code = x.code AND c.m = x.p
    LEFT JOIN currency_moves AS n ON n.code = x.code AND n.m = x.p + 1
    WINDOW w AS (PARTITION BY x.code ORDER BY x.p ROWS UNBOUNDED PRECEDING)
),
held_totals AS (  -- per period: held units are flat, or all move with their currency's rate
    SELECT
        p,
        sum(held_units) AS customers_start,
        sum(held_value * r0) AS m0,
        sum(held_value * r1) AS m1,
        sum(CASE WHEN r1 > r0 + r0 * 1e-9 THEN held_value * (r1 - r0) END) AS expansion_mrr,
        sum(CASE WHEN r1 < r0 - r0 * 1e-9 THEN held_value * (r0 - r1) END) AS contraction_mrr,
        sum(CASE WHEN r1 > r0 + r0 * 1e-9 THEN held_units END) AS customers_expanded,
        sum(CASE WHEN r1 < r0 - r0 * 1e-9 THEN held_units END) AS customers_contracted
    FROM held
    WHERE held_units > 0
    GROUP BY p
),
-- Path 2 (customers with several currencies): MRR at every boundary, compared by period.
multi_months AS (
    SELECT s.k, s.m, sum(s.after * r.r) AS mrr
    FROM (
        SELECT unit // n AS k, unit % n AS code, after,
               unnest(range(m, lead(m) OVER (PARTITION BY unit ORDER BY m))) AS m
        FROM steps, (SELECT max(n) AS n FROM currencies)
        WHERE several_currencies
        QUALIFY after > 0
    ) AS s
    JOIN rates AS r USING (code, m)
    GROUP BY ALL
),
multi_rows AS (
    SELECT k, p, sum(m0) AS m0, sum(m1) AS m1
    FROM (
        SELECT k, m AS p, mrr AS m0, 0.0 AS m1 FROM multi_months
        UNION ALL
        SELECT k, m - 1, 0.0, mrr FROM multi_months
    ), window_bounds
    WHERE p >= first_m AND p < last_m
    GROUP BY ALL
),
unit_rows AS (
    SELECT * FROM step_rows
    UNION ALL
    SELECT * FROM multi_rows WHERE m0 > 0 OR m1 > 0
),
cohort_totals AS (  -- units with MRR at t0: churn, expansion, contraction or flat
    SELECT
        p,
        count(*) AS customers_start,
        sum(m0) AS m0,
        sum(m1) AS m1,
        sum(m1 - m0) FILTER (WHERE m1 > m0 + m0 * 1e-9) AS expansion_mrr,
        sum(m0 - m1) FILTER (WHERE m1 > 0 AND m1 < m0 - m0 * 1e-9) AS contraction_mrr,
        sum(m0) FILTER (WHERE m1 = 0) AS churn_mrr,
        count(*) FILTER (WHERE m1 > m0 + m0 * 1e-9) AS customers_expanded,
        count(*) FILTER (WHERE m1 > 0 AND m1 < m0 - m0 * 1e-9) AS customers_contracted,
        count(*) FILTER (WHERE m1 = 0) AS customers_churned
    FROM unit_rows
    WHERE m0 > 0
    GROUP BY p
),
entering_totals AS (  -- units with MRR at t1 only: reactivation if they ever had MRR before
    SELECT
        u.p,
        sum(u.m1) AS m1,
        sum(u.m1) FILTER (WHERE c.first_start >= u.t0) AS new_mrr,
        sum(u.m1) FILTER (WHERE c.first_start < u.t0) AS reactivation_mrr,
        count(*) FILTER (WHERE c.first_start >= u.t0) AS customers_new,
        count(*) FILTER (WHERE c.first_start < u.t0) AS customers_reactivated
    FROM (
        SELECT k, p, m1, make_date((p // 12)::INTEGER, (p % 12 + 1)::INTEGER, 1) AS t0
        FROM unit_rows
        WHERE m0 = 0
    ) AS u
    JOIN customers AS c USING (k)
    GROUP BY u.p
),
totals AS (
    SELECT
        b.m AS p,
        coalesce(u.customers_start, 0) + coalesce(h.customers_start, 0) AS customers_start,
        coalesce(u.m0, 0.0) + coalesce(h.m0, 0.0) AS starting_mrr,
        coalesce(u.expansion_mrr, 0.0) + coalesce(h.expansion_mrr, 0.0) AS expansion_mrr,
        coalesce(u.contraction_mrr, 0.0) + coalesce(h.contraction_mrr, 0.0) AS contraction_mrr,
        coalesce(u.churn_mrr, 0.0) AS churn_mrr,
        coalesce(u.m1, 0.0) + coalesce(h.m1, 0.0) AS ending_mrr,
        coalesce(u.customers_expanded, 0) + coalesce(h.customers_expanded, 0)
            AS customers_expanded,
        coalesce(u.customers_contracted, 0) + coalesce(h.customers_contracted, 0)
            AS customers_contracted,
        coalesce(u.customers_churned, 0) AS customers_churned,
        coalesce(e.new_mrr, 0.0) AS new_mrr,
        coalesce(e.reactivation_mrr, 0.0) AS reactivation_mrr,
        coalesce(e.customers_new, 0) AS customers_new,
        coalesce(e.customers_reactivated, 0) AS customers_reactivated,
        coalesce(u.m1, 0.0) + coalesce(h.m1, 0.0) + coalesce(e.m1, 0.0) AS total_mrr_end
    FROM boundaries AS b
    CROSS JOIN window_bounds
    LEFT JOIN cohort_totals AS u ON u.p = b.m
    LEFT JOIN held_totals AS h ON h.p = b.m
    LEFT JOIN entering_totals AS e ON e.p = b.m
    WHERE b.m < last_m
)
SELECT
    make_date((p // 12)::INTEGER, (p % 12 + 1)::INTEGER, 1) AS period_start,
    make_date(((p + 1) // 12)::INTEGER, ((p + 1) % 12 + 1)::INTEGER, 1) AS period_end,
    customers_start,
    starting_mrr,
    expansion_mrr,
    contraction_mrr,
    churn_mrr,
    ending_mrr,
    CASE WHEN starting_mrr > 0 THEN ending_mrr / starting_mrr * 100 END AS nrr,
    CASE WHEN starting_mrr > 0
         THEN (starting_mrr - contraction_mrr - churn_mrr) / starting_mrr * 100
    END AS grr,
    customers_expanded,
    customers_contracted,
    customers_churned,
    CASE WHEN customers_start > 0
         THEN (customers_start - customers_churned) / customers_start * 100
    END AS logo_retention,
    new_mrr,
    reactivation_mrr,
    customers_new,
    customers_reactivated,
    starting_mrr AS total_mrr_start,
    total_mrr_end
FROM totals
ORDER BY p
