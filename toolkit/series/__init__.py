"""Reading patch series: quilt directories, mboxes, single diffs and git ranges."""
