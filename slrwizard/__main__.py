from slrwizard.cli import main

raise SystemExit(main())
