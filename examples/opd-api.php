<?php
// An OPD's own system on the Aduan OPD API, in plain PHP (no extensions beyond the CLI's):
// read the complaints routed to this OPD since the last run, and report that work has started.
// Run it every minute from cron. Run end to end by tests/e2e/opd-php-example.test.ts.
//
//   ADUAN_URL=http://localhost:3000 ADUAN_OPD_KEY=aduan_opd_... php examples/opd-api.php
//
// The key comes from `pnpm --filter @aduan/gateway opd-key:add <opd>`; it acts for that OPD only.

$base = rtrim(getenv('ADUAN_URL') ?: 'http://localhost:3000', '/');
$key = getenv('ADUAN_OPD_KEY') ?: exit("set ADUAN_OPD_KEY\n");
$cursorFile = getenv('ADUAN_CURSOR_FILE') ?: __DIR__ . '/aduan-cursor.txt';

/** One API call: [HTTP status, decoded JSON body]. */
function aduan(string $method, string $path, ?array $body = null): array
{
    global $base, $key;
    $headers = "Authorization: Bearer $key\r\n";
    if ($body !== null) $headers .= "Content-Type: application/json\r\n";
    $context = stream_context_create(['http' => [
        'method' => $method,
        'header' => $headers,
        'content' => $body === null ? '' : json_encode($body),
        'ignore_errors' => true, // read the JSON error body of a 4xx/5xx too
        'timeout' => 10,
    ]]);
    $response = file_get_contents($base . $path, false, $context);
    preg_match('{HTTP/\S+ (\d{3})}', $http_response_header[0] ?? '', $m);
    return [(int) ($m[1] ?? 0), json_decode($response === false ? 'null' : $response, true)];
}

// The feed: what was routed to this OPD after the cursor, oldest first, 50 at a time.
$after = is_file($cursorFile) ? trim(file_get_contents($cursorFile)) : '';
do {
    [$status, $feed] = aduan('GET', '/api/v1/opd/complaints?limit=50' . ($after !== '' ? '&after=' . urlencode($after) : ''));
    if ($status !== 200) exit("feed: HTTP $status " . json_encode($feed) . "\n");
    foreach ($feed['items'] as $item) {
        $c = $item['complaint'];
        echo $c['ticket'], "\t", $c['routing']['opdName'], "\t", $c['text'], "\n";
        // Progress for the citizen. The same updateId on a retry changes nothing. A complaint that
        // is not this OPD's is sent back to the city's admin instead: 'state' => 'returned', with a
        // 'message' saying why ("bukan kewenangan kami, mungkin DLH"); the citizen is not told it.
        // Other states: 'resolved', 'rejected' (final for the citizen; see services/gateway/README.md).
        [$status, $ack] = aduan('POST', "/api/v1/opd/complaints/{$c['id']}/status", [
            'state' => 'in_progress',
            'message' => 'Aduan Anda sudah kami terima dan sedang ditindaklanjuti.',
            'updateId' => "sim-{$c['id']}-1",
        ]);
        if ($status !== 202) exit("status of {$c['ticket']}: HTTP $status " . json_encode($ack) . "\n");
    }
    $after = $feed['next'];
    file_put_contents($cursorFile, $after);
} while (count($feed['items']) === 50);
