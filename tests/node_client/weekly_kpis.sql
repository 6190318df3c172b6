-- The weekly KPI query a dashboard runs; the Node.js client and the Python test run this text.
SELECT strftime(week_start, '%Y-%m-%d') AS week_start,
       platform,
       CAST(inbound_messages AS INTEGER) AS inbound_messages,
       CAST(conversations AS INTEGER) AS conversations,
       CAST(answered_conversations AS INTEGER) AS answered_conversations,
       response_rate,
       median_first_response_minutes,
       p90_first_response_minutes,
       two_way_rate
FROM analytics.kpi_weekly
ORDER BY week_start, platform
