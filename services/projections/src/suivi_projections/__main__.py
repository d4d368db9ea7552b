"""`python -m suivi_projections`: the projector process (as `suivi-projector`)."""

from suivi_projections.bootstrap import main

if __name__ == "__main__":
    main()
