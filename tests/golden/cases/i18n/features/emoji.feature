# language: em
📚: 🙈🙉🙊
  📕: 💃
    😐 a dancer
    🎬 the music starts
    🙏 the dancer dances
