enum _BerthPlanPlaceholder {}
