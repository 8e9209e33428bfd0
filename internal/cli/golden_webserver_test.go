package cli

import "testing"

// TestWebserverGolden scans the nginx/Apache fixture for the controls the webserver
// probe speaks for; docs/webserver.md lists the case each finding and near miss covers.
func TestWebserverGolden(t *testing.T) {
	goldenScan(t, "webserver", "--only", "ZT-1,ZT-2,CR-1,ST-1", "testdata/p4/webserver")
}
