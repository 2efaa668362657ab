enum _BerthRenderPlaceholder {}
